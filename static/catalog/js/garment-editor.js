// The admin's try-on garment editor: drag the anchors on the cut-out, pick the kind, see the preview.
//
// Reads its configuration from the page's JSON (#fr-editor-config, written by Django's json_script):
// the cut-out's size, the kind, the anchors, the anchors each kind needs and the two endpoints. Every
// change asks the server for a preview of the garment fitted on the sample bodies; only the latest
// request counts (an older one is aborted). Pointer events, so a mouse, a pen and a finger on a
// tablet all drag; arrow keys move the focused anchor (Shift: ten times as far).

const SVG_NS = "http://www.w3.org/2000/svg";
const PREVIEW_DELAY_MS = 80;

/** @returns {{image: string, width: number, height: number, kind: string, anchors: Object<string, number[]>,
 *   required: Object<string, string[]>, preview_url: string, anchors_url: string}} */
function readConfig() {
  return JSON.parse(document.getElementById("fr-editor-config").textContent);
}

function csrfToken() {
  const input = document.querySelector("#fr-save-form input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

async function postJSON(url, body, signal) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  const data = await response.json().catch(() => ({ message: `The server answered ${response.status}.` }));
  if (!response.ok) throw new Error(data.message || `The server answered ${response.status}.`);
  return data;
}

export class GarmentEditor {
  constructor(config) {
    this.config = config;
    this.kind = config.kind || document.getElementById("fr-kind").value;
    this.anchors = { ...config.anchors };
    this.svg = document.getElementById("fr-editor-svg");
    this.layer = document.getElementById("fr-anchors");
    this.input = document.getElementById("fr-anchors-input");
    this.problems = document.getElementById("fr-problems");
    this.previews = document.getElementById("fr-previews");
    this.status = document.getElementById("fr-preview-status");
    this.kindSelect = document.getElementById("fr-kind");
    this.version = 0;
    this.pending = null;
    this.timer = 0;
    this.radius = Math.max(6, Math.round(Math.max(config.width, config.height) / 90));
  }

  start() {
    this.kindSelect.addEventListener("change", () => this.changeKind(this.kindSelect.value));
    if (!this.kind || this.missing().length) {
      this.changeKind(this.kindSelect.value);
    } else {
      this.draw();
      this.schedulePreview(0);
    }
  }

  missing() {
    return (this.config.required[this.kind] || []).filter((name) => !(name in this.anchors));
  }

  async changeKind(kind) {
    this.kind = kind;
    this.setStatus("finding the anchors…");
    try {
      const data = await postJSON(this.config.anchors_url, { kind });
      this.anchors = { ...data.anchors };
      this.showReview(data.needs_review || []);
    } catch (error) {
      this.anchors = {};
      this.showProblems([error.message]);
    }
    this.draw();
    this.schedulePreview(0);
  }

  draw() {
    this.layer.replaceChildren();
    const names = this.config.required[this.kind] || [];
    for (const name of names) {
      const point = this.anchors[name];
      if (!point) continue;
      this.layer.append(this.anchorNode(name, point));
    }
    this.writeInput();
  }

  anchorNode(name, [x, y]) {
    const g = document.createElementNS(SVG_NS, "g");
    g.classList.add("fr-anchor", name.startsWith("left") ? "left" : "right");
    g.dataset.anchor = name;
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "slider");
    g.setAttribute("aria-label", name.replace("_", " "));
    const hit = document.createElementNS(SVG_NS, "circle");
    hit.classList.add("fr-hit");
    hit.setAttribute("r", String(this.radius * 2.5));
    const dot = document.createElementNS(SVG_NS, "circle");
    dot.classList.add("fr-dot");
    dot.setAttribute("r", String(this.radius));
    dot.setAttribute("stroke-width", String(Math.max(1.5, this.radius / 4)));
    const label = document.createElementNS(SVG_NS, "text");
    label.textContent = name.replace("_", " ");
    label.setAttribute("x", String(this.radius * 1.6));
    label.setAttribute("y", String(this.radius * 0.5));
    label.setAttribute("font-size", String(this.radius * 2.2));
    label.setAttribute("stroke-width", String(this.radius / 2));
    g.append(hit, dot, label);
    this.place(g, x, y);
    g.addEventListener("pointerdown", (event) => this.beginDrag(event, g));
    g.addEventListener("keydown", (event) => this.nudge(event, g));
    return g;
  }

  place(g, x, y) {
    g.setAttribute("transform", `translate(${x.toFixed(1)} ${y.toFixed(1)})`);
    g.setAttribute("aria-valuetext", `${Math.round(x)}, ${Math.round(y)}`);
  }

  toImage(event) {
    const point = this.svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const local = point.matrixTransform(this.svg.getScreenCTM().inverse());
    const x = Math.min(Math.max(local.x, 0), this.config.width - 1);
    const y = Math.min(Math.max(local.y, 0), this.config.height - 1);
    return [x, y];
  }

  move(g, x, y) {
    this.anchors[g.dataset.anchor] = [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
    this.place(g, x, y);
    this.writeInput();
    this.schedulePreview(PREVIEW_DELAY_MS);
  }

  beginDrag(event, g) {
    event.preventDefault();
    try {
      g.setPointerCapture(event.pointerId); // keeps the drag when the finger outruns the dot
    } catch {
      // A pointer the browser no longer tracks: the moves still reach the dot while over it.
    }
    g.classList.add("dragging");
    const onMove = (e) => {
      const [x, y] = this.toImage(e);
      this.move(g, x, y);
    };
    const onUp = () => {
      g.classList.remove("dragging");
      g.removeEventListener("pointermove", onMove);
      g.removeEventListener("pointerup", onUp);
      g.removeEventListener("pointercancel", onUp);
    };
    g.addEventListener("pointermove", onMove);
    g.addEventListener("pointerup", onUp);
    g.addEventListener("pointercancel", onUp);
  }

  nudge(event, g) {
    const step = event.shiftKey ? 10 : 1;
    const delta = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[event.key];
    if (!delta) return;
    event.preventDefault();
    const [x, y] = this.anchors[g.dataset.anchor];
    const nx = Math.min(Math.max(x + delta[0], 0), this.config.width - 1);
    const ny = Math.min(Math.max(y + delta[1], 0), this.config.height - 1);
    this.move(g, nx, ny);
  }

  writeInput() {
    const names = this.config.required[this.kind] || [];
    const chosen = {};
    for (const name of names) if (this.anchors[name]) chosen[name] = this.anchors[name];
    this.input.value = JSON.stringify(chosen);
  }

  schedulePreview(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.preview(), delay);
  }

  async preview() {
    if (this.pending) this.pending.abort();
    const controller = new AbortController();
    this.pending = controller;
    this.setStatus("updating…");
    const started = performance.now();
    let data;
    try {
      data = await postJSON(this.config.preview_url, { kind: this.kind, anchors: JSON.parse(this.input.value) },
        controller.signal);
    } catch (error) {
      if (error.name === "AbortError") return;
      this.showProblems([error.message]);
      this.setStatus("");
      return;
    }
    if (this.pending !== controller) return;
    this.pending = null;
    this.showProblems(data.problems);
    if (!data.problems.length) {
      const images = data.previews.map((p) => {
        const img = new Image();
        img.src = p.src;
        img.alt = `The garment on the sample body “${p.body}”`;
        img.dataset.body = p.body;
        return img;
      });
      this.previews.replaceChildren(...images);
    }
    this.version += 1;
    this.previews.dataset.version = String(this.version);
    this.setStatus(`updated in ${Math.round(performance.now() - started)} ms`);
  }

  showProblems(problems) {
    this.problems.hidden = !problems.length;
    this.problems.textContent = problems.join(" ");
    document.getElementById("fr-save").disabled = problems.length > 0;
  }

  showReview(reasons) {
    const note = document.getElementById("fr-kind-review");
    note.hidden = !reasons.length;
    note.textContent = reasons.join(" ");
  }

  setStatus(text) {
    this.status.textContent = text;
  }
}

const config = document.getElementById("fr-editor-config");
if (config) new GarmentEditor(readConfig()).start();
