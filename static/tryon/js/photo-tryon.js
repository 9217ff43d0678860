// Photo try-on: send the chosen photo to the server, show the fitted result with a download link.
// Progressive enhancement: without JavaScript the form posts and the browser shows the JPEG.

/** @param {HTMLFormElement} form */
function enhance(form) {
  const section = /** @type {HTMLElement} */ (form.closest("section"));
  const status = /** @type {HTMLElement} */ (section.querySelector("[data-photo-status]"));
  const figure = /** @type {HTMLElement} */ (section.querySelector("[data-photo-result]"));
  const image = /** @type {HTMLImageElement} */ (section.querySelector("[data-photo-image]"));
  const download = /** @type {HTMLAnchorElement} */ (section.querySelector("[data-photo-download]"));
  const input = /** @type {HTMLInputElement} */ (form.querySelector('input[type="file"]'));
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
  const sizing = /** @type {HTMLElement | null} */ (section.querySelector("[data-photo-size]"));
  const adviceText = /** @type {HTMLElement} */ (section.querySelector("[data-photo-advice]"));
  let objectUrl = "";

  /** Ask for size advice from the same photo, when the shopper gave a height. @param {File} photo */
  async function advise(photo) {
    const height = /** @type {HTMLInputElement} */ (sizing?.querySelector("[data-photo-height]"))?.value.trim();
    adviceText.hidden = !height;
    if (!sizing || !height) return;
    const body = new FormData();
    body.append("photo", photo);
    body.append("height", height);
    body.append("weight", /** @type {HTMLInputElement} */ (sizing.querySelector("[data-photo-weight]")).value.trim());
    const token = /** @type {HTMLInputElement | null} */ (form.querySelector("[name=csrfmiddlewaretoken]"));
    if (token) body.append("csrfmiddlewaretoken", token.value);
    adviceText.textContent = "Working out your size…";
    try {
      const response = await fetch(/** @type {string} */ (sizing.dataset.url), { method: "POST", body, credentials: "same-origin" });
      const result = await response.json();
      if (!response.ok) adviceText.textContent = result.message || `Something went wrong (${response.status}).`;
      else if (!result.measured) adviceText.textContent = `No size from this photo: ${result.reading.message}`;
      else adviceText.textContent = result.advice.message;
      adviceText.dataset.status = response.ok ? (result.measured ? result.advice.status : result.reading.status) : "error";
    } catch (_) {
      adviceText.textContent = "The size advice could not be reached. Check your network and try again.";
    }
  }

  input.addEventListener("change", () => {
    status.textContent = input.files && input.files[0] ? `Selected: ${input.files[0].name}` : "";
    if (input.files && input.files[0]) form.requestSubmit();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.files || !input.files[0]) {
      status.textContent = "Choose a photo first.";
      return;
    }
    submit.disabled = true;
    status.textContent = "Fitting the garment…";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "image/jpeg, application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        let message = `Something went wrong (${response.status}).`;
        try {
          message = (await response.json()).message || message;
        } catch (_) { /* not JSON */ }
        status.textContent = message;
        return;
      }
      const blob = await response.blob();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = URL.createObjectURL(blob);
      image.src = objectUrl;
      download.href = objectUrl;
      figure.hidden = false;
      status.textContent = "Here you are. Download it or try another photo.";
      figure.scrollIntoView({ behavior: "smooth", block: "nearest" });
      await advise(input.files[0]);
    } catch (_) {
      status.textContent = "The connection failed. Check your network and try again.";
    } finally {
      submit.disabled = false;
    }
  });
}

document.querySelectorAll("form[data-photo-tryon]").forEach((form) => enhance(/** @type {HTMLFormElement} */ (form)));
