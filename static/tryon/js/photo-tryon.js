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
  let objectUrl = "";

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
    } catch (_) {
      status.textContent = "The connection failed. Check your network and try again.";
    } finally {
      submit.disabled = false;
    }
  });
}

document.querySelectorAll("form[data-photo-tryon]").forEach((form) => enhance(/** @type {HTMLFormElement} */ (form)));
