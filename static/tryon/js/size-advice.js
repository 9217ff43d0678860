// "Find my size" on the live page: height in, coaching while the camera measures, a size out.
//
// Everything happens on this device. The shopper's height, weight and measurements are read
// from inputs that belong to no form (nothing can submit them), measured from the person mask
// where the pose runs (bodymeasure.js; the mask never leaves the pose worker), turned into a size
// by sizing.js, and kept only in this browser's localStorage when the shopper ticks "Remember",
// with a visible "Forget my measurements". The only thing that ever leaves is the size chosen,
// in the product page's link (?size=M).

import { MeasureSession, MESSAGES, withDepths, ZONES } from "./bodymeasure.js";
import { BodyInputError, estimate, fitAt, parseHeight, parseSex, parseWeight, recommend } from "./sizing.js";
import { scaleMesh, sizeScale, tintZones } from "./size-view.js";

export const STORAGE_KEY = "fittingroom.body.v1";
const RING_LENGTH = 2 * Math.PI * 26;

/**
 * @typedef {{height: string, weight: string, sex: string,
 *   observed: Record<string, {width: number, width_sd: number}> | null, observedAtCm?: number,
 *   depths?: Record<string, {depth: number, depth_sd: number}> | null}} Saved
 *   observedAtCm: the height the widths (and the side view's depths) were scaled by when measured
 */

/**
 * Return each zone's measurement (a width or a depth, with its sd) times `k`.
 * @param {Record<string, Record<string, number>>} perZone @param {number} k
 * @returns {Record<string, Record<string, number>>}
 */
function scaled(perZone, k) {
  return Object.fromEntries(Object.entries(perZone).map(([zone, o]) =>
    [zone, Object.fromEntries(Object.entries(o).map(([key, value]) => [key, value * k]))]));
}

export class SizeAdvice {
  /**
   * @param {HTMLElement} root the live page
   * @param {{getPose: () => any, canMeasure: () => boolean, onChange: () => void, stats: Record<string, any>,
   *   captureMs?: number}} hooks
   */
  constructor(root, hooks) {
    const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (root.querySelector(sel));
    this.root = root;
    this.hooks = hooks;
    this.panel = $("[data-size-panel]");
    this.openButton = /** @type {HTMLButtonElement} */ ($("[data-size-open]"));
    this.form = $("[data-size-form]");
    this.height = /** @type {HTMLInputElement} */ ($("[data-size-height]"));
    this.weight = /** @type {HTMLInputElement} */ ($("[data-size-weight]"));
    this.sex = /** @type {HTMLSelectElement} */ ($("[data-size-sex]"));
    this.remember = /** @type {HTMLInputElement} */ ($("[data-size-remember]"));
    this.error = $("[data-size-error]");
    this.coach = $("[data-size-coach]");
    this.coachText = $("[data-size-coach-text]");
    this.ring = /** @type {SVGCircleElement} */ (/** @type {unknown} */ ($("[data-size-ring]")));
    this.result = $("[data-size-result]");
    this.messageEl = $("[data-size-message]");
    this.zonesEl = $("[data-size-zones]");
    this.notesEl = $("[data-size-notes]");
    this.switchEl = $("[data-size-switch]");
    this.choose = /** @type {HTMLAnchorElement} */ ($("[data-size-choose]"));
    this.forget = /** @type {HTMLButtonElement} */ ($("[data-size-forget]"));
    this.tintToggle = /** @type {HTMLInputElement} */ ($("[data-size-tint]"));
    this.sideButton = /** @type {HTMLButtonElement} */ ($("[data-size-side]"));
    /** @type {Record<string, {fit: string}> | null} per-zone fit of the size drawn, when tinted */
    this.tint = null;
    this.tintToggle.addEventListener("change", () => this.showSize(this.shown));
    /** @type {any} */
    this.model = null;
    /** @type {any} */
    this.garment = null;
    /** @type {MeasureSession | null} */
    this.session = null;
    /** @type {{heightCm: number, weightKg: number | null, sex: string | null} | null} */
    this.body = null;
    /** @type {Record<string, {width: number, width_sd: number}> | null} */
    this.observed = null;
    /** @type {number | null} */
    this.observedAtCm = null;
    /** @type {Record<string, {depth: number, depth_sd: number}> | null} the optional side view's depths */
    this.depths = null;
    /** @type {Record<string, any> | null} */
    this.measurements = null;
    /** @type {string | null} the size drawn on the body (null: the garment as fitted) */
    this.shown = null;
    this.scale = 1;
    /** @type {any} */
    this.advice = null;
    this.status = hooks.stats.sizeAdvice = {
      state: "closed", size: null, shown: null, scale: 1, camera: {}, measuredFrames: 0, measureMs: /** @type {number[]} */ ([]),
      view: "front", sideOffered: false, side: false,
    };

    this.modelReady = fetch(root.dataset.sizingModel || "", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`sizing model: HTTP ${r.status}`))))
      .then((m) => { this.model = m; return m; });
    this.modelReady.catch((error) => console.warn(error));

    this.openButton.addEventListener("click", () => this.open());
    $("[data-size-close]").addEventListener("click", () => this.close());
    $("[data-size-measure]").addEventListener("click", () => this.start(true));
    $("[data-size-skip]").addEventListener("click", () => this.start(false));
    $("[data-size-cancel]").addEventListener("click", () => this.cancel());
    $("[data-size-again]").addEventListener("click", () => this.showForm());
    this.sideButton.addEventListener("click", () => this.startSide());
    this.forget.addEventListener("click", () => this.forgetAll());
    for (const input of [this.height, this.weight]) {
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          this.start(true);
        }
      });
    }
    this.restore();
  }

  /** @param {string} state */
  setState(state) {
    this.status.state = state;
    this.panel.dataset.state = state;
  }

  restore() {
    /** @type {Saved | null} */
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
    } catch (_) {
      saved = null;
    }
    this.forget.hidden = !saved;
    if (!saved) return;
    this.height.value = saved.height || "";
    this.weight.value = saved.weight || "";
    this.sex.value = saved.sex || "";
    this.remember.checked = true;
    this.observed = saved.observed || null;
    this.observedAtCm = saved.observedAtCm || null;
    this.depths = saved.depths || null;
  }

  save() {
    if (!this.remember.checked) {
      localStorage.removeItem(STORAGE_KEY);
      this.forget.hidden = true;
      return;
    }
    /** @type {Saved} */
    const saved = {
      height: this.height.value, weight: this.weight.value, sex: this.sex.value, observed: this.observed,
      observedAtCm: this.observedAtCm ?? undefined, depths: this.depths,
    };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
    this.forget.hidden = false;
  }

  forgetAll() {
    localStorage.removeItem(STORAGE_KEY);
    this.height.value = "";
    this.weight.value = "";
    this.sex.value = "";
    this.remember.checked = false;
    this.observed = null;
    this.depths = null;
    this.measurements = null;
    this.forget.hidden = true;
    this.showSize(null);
    this.showForm();
    this.error.textContent = "Your measurements are forgotten on this device.";
    this.error.hidden = false;
  }

  async open() {
    this.panel.hidden = false;
    this.openButton.setAttribute("aria-expanded", "true");
    if (this.measurements) return this.showResult();
    // Remembered measurements give the advice at once, for this garment too.
    if (this.observed && this.height.value && (await this.modelReady.catch(() => null)) && this.readBody()) {
      return this.finish();
    }
    this.showForm();
  }

  close() {
    this.cancel();
    this.panel.hidden = true;
    this.openButton.setAttribute("aria-expanded", "false");
    this.setState("closed");
  }

  showForm() {
    this.stopMeasuring();
    this.form.hidden = false;
    this.coach.hidden = true;
    this.result.hidden = true;
    this.error.hidden = true;
    this.setState("form");
    this.height.focus();
  }

  /** Read the inputs, or show what is wrong with them. @returns {boolean} */
  readBody() {
    try {
      this.body = { heightCm: parseHeight(this.height.value), weightKg: parseWeight(this.weight.value), sex: parseSex(this.sex.value) };
      this.error.hidden = true;
      return true;
    } catch (error) {
      if (!(error instanceof BodyInputError)) throw error;
      this.error.textContent = error.message;
      this.error.hidden = false;
      this.setState(`invalid:${error.field}`);
      const field = error.field === "weight" ? this.weight : error.field === "sex" ? this.sex : this.height;
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return false;
    }
  }

  /** @param {boolean} withCamera */
  async start(withCamera) {
    for (const field of [this.height, this.weight, this.sex]) field.removeAttribute("aria-invalid");
    if (!this.readBody()) return;
    const model = await this.modelReady.catch(() => null);
    if (!model) {
      this.error.textContent = "The size advice could not load. Check your connection and try again.";
      this.error.hidden = false;
      return;
    }
    if (!withCamera) {
      this.observed = null;
      return this.finish();
    }
    if (!this.hooks.canMeasure()) {
      this.error.textContent = "Measuring needs the try-on running on this device. You can still get advice from your height alone.";
      this.error.hidden = false;
      return;
    }
    this.depths = null; // a new front capture: the side view, if wanted, is taken again after it
    await this.measure("front");
  }

  /** The optional side view, after a front capture: depths that tighten the girths. */
  async startSide() {
    if (!this.observed || !this.body || !this.model || !this.hooks.canMeasure()) return;
    await this.measure("side");
  }

  /** Start a capture session of one view, the person mask read where the pose runs. @param {"front" | "side"} view */
  async measure(view) {
    const model = this.model;
    const body = /** @type {{heightCm: number, weightKg: number | null, sex: string | null}} */ (this.body);
    const sex = body.sex || "any";
    const side = view === "side";
    this.session = new MeasureSession(this.hooks.captureMs || undefined, undefined, side ? "depth" : "width");
    this.status.view = view;
    this.form.hidden = true;
    this.result.hidden = true;
    this.coach.hidden = false;
    this.coachText.textContent = side ? MESSAGES.turn_side : MESSAGES.no_person;
    this.setRing(0);
    this.setState(side ? "measuring:side" : "measuring");
    const config = side
      ? { heightCm: body.heightCm, levels: model.levels[sex], ranges: model.depth_range[sex], view: /** @type {"side"} */ ("side") }
      : { heightCm: body.heightCm, levels: model.levels[sex], ranges: model.width_range[sex] };
    try {
      await this.hooks.getPose().measure(config);
    } catch (error) {
      console.warn("measuring unavailable", error);
      this.session = null;
      if (side) return this.showResult();
      this.showForm();
      this.error.textContent = "Measuring is not available here. You can still get advice from your height alone.";
      this.error.hidden = false;
    }
  }

  /** @param {number} fraction */
  setRing(fraction) {
    this.ring.style.strokeDashoffset = String(RING_LENGTH * (1 - fraction));
    this.ring.parentElement?.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
  }

  stopMeasuring() {
    if (!this.session) return;
    this.session = null;
    this.hooks.getPose()?.measure(null).catch(() => {});
  }

  cancel() {
    const was = this.session;
    this.stopMeasuring();
    // Skipping the side view keeps the front's advice; cancelling the front goes back to the form.
    if (was && was.name === "depth" && this.measurements) this.showResult();
    else if (was) this.showForm();
  }

  /**
   * Feed one pose result of the live loop (null: nobody found) while measuring.
   * @param {any} found {landmarks (as the frame shows them, not mirrored), reading}
   * @param {number} width @param {number} height frame size
   * @param {number} now ms
   */
  onPose(found, width, height, now) {
    const session = this.session;
    if (!session) return;
    if (found && !found.reading) return; // measuring not switched on yet for this frame
    if (found && !(`${session.name}s` in found.reading)) return; // read for the other view, before the switch
    const reading = found ? found.reading : { status: "no_person", widths: {}, depths: {}, height_px: null };
    if (found) {
      this.status.measuredFrames++;
      this.status.measureMs.push(found.measureMs ?? 0);
      if (this.status.measureMs.length > 300) this.status.measureMs.shift();
    }
    // The reading's pixels are those of the (downscaled) frame it was measured in.
    const [w, h] = found && found.measuredSize ? found.measuredSize : [width, height];
    const step = session.add(reading, found ? found.landmarks : null, now, w, h);
    this.status.reading = { status: reading.status, blocked: reading.blocked || {}, heightPx: reading.height_px,
      widths: reading.widths, depths: reading.depths };
    this.coachText.textContent = step.message;
    this.panel.dataset.coach = step.status;
    this.setRing(step.progress);
    if (step.status === "done") {
      if (session.name === "depth") {
        // Scaled by the same stated height as the widths they join.
        this.depths = /** @type {any} */ (session.observed);
      } else {
        this.observed = /** @type {any} */ (session.observed);
        this.observedAtCm = this.body?.heightCm ?? null;
      }
      this.stopMeasuring();
      this.finish();
    }
  }

  finish() {
    const body = /** @type {{heightCm: number, weightKg: number | null, sex: string | null}} */ (this.body);
    // Widths measured with another stated height were scaled by it: rescale them to this one.
    const k = this.observed && this.observedAtCm ? body.heightCm / this.observedAtCm : 1;
    const observed = /** @type {Record<string, {width: number, width_sd: number}>} */ (scaled(this.observed || {}, k));
    const depths = this.depths ? /** @type {Record<string, {depth: number, depth_sd: number}>} */ (scaled(this.depths, k)) : null;
    this.observed = this.observed ? observed : null;
    this.depths = this.observed ? depths : null;
    this.observedAtCm = this.observed ? body.heightCm : null;
    this.measurements = estimate(this.model, body.heightCm, body.weightKg, body.sex, withDepths(observed, this.depths));
    this.status.side = Object.values(this.measurements).some((m) => m.inputs.includes("depth"));
    this.status.camera = Object.fromEntries(Object.entries(this.measurements).map(([k, m]) => [k, m.camera]));
    this.save();
    this.showResult();
  }

  /** @param {any} garment the live page's garment entry (kind, chart, sizes, product_url) */
  setGarment(garment) {
    this.garment = garment;
    this.shown = null;
    this.status.shown = null;
    this.status.scale = 1;
    if (this.measurements && !this.result.hidden) this.showResult();
  }

  showResult() {
    const g = this.garment;
    if (!g || !this.measurements) return;
    const advice = recommend(this.measurements, g.chart || [], g.kind, g.sizes || []);
    this.advice = advice;
    this.status.size = advice.size;
    this.status.advice = advice.status;
    this.form.hidden = true;
    this.coach.hidden = true;
    this.result.hidden = false;
    this.setState(`advice:${advice.status}`);
    this.messageEl.textContent = advice.message;
    this.zonesEl.replaceChildren(...Object.entries(advice.zones).map(([zone, z]) => {
      const li = document.createElement("li");
      li.dataset.fit = z.fit;
      li.textContent = `${zone === "length" ? "length" : zone}: ${z.fit}`;
      return li;
    }));
    const camera = Object.entries(this.measurements)
      .filter(([zone]) => ZONES.includes(zone))
      .map(([zone, m]) => `${zone} ${m.camera === "used" ? (m.inputs.includes("depth") ? "measured front and side" : "measured")
        : m.camera === "adds nothing" ? "from height (camera added nothing)" : "from height"}`);
    this.notesEl.textContent = [...advice.notes, `Based on: ${camera.join(", ")}.`].join(" ");
    const sizes = (g.chart || []).map((/** @type {any} */ row) => row.size);
    this.switchEl.replaceChildren(...sizes.map((/** @type {string} */ size) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "size-option";
      b.textContent = size;
      b.dataset.size = size;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => this.showSize(this.shown === size ? null : size));
      return b;
    }));
    this.switchEl.hidden = sizes.length === 0;
    // The side view is offered once the front is measured, and only once; skipping it changes nothing.
    this.sideButton.hidden = !(this.observed && !this.depths && this.hooks.canMeasure());
    this.status.sideOffered = !this.sideButton.hidden;
    if (advice.size) {
      this.choose.hidden = false;
      this.choose.textContent = `Choose ${advice.size}`;
      this.choose.href = `${g.product_url}?size=${encodeURIComponent(advice.size)}`;
      this.showSize(advice.size);
    } else {
      this.choose.hidden = true;
      this.showSize(null);
    }
  }

  /** Draw `size` at its true scale on the body (null: the garment as fitted). @param {string | null} size */
  showSize(size) {
    this.shown = size;
    this.status.shown = size;
    const row = size && this.garment ? (this.garment.chart || []).find((/** @type {any} */ r) => r.size === size) : null;
    const scale = row && this.measurements ? sizeScale(this.garment.kind, this.measurements, row) : null;
    this.scale = scale ?? 1;
    this.status.scale = this.scale;
    // The fit of the size drawn, zone by zone: that size's chart against the body.
    this.tint = null;
    if (row && this.measurements && this.tintToggle.checked) {
      this.tint = fitAt(this.measurements, this.garment.chart || [], this.garment.kind, /** @type {string} */ (size));
    }
    this.status.tint = this.tint ? Object.fromEntries(Object.entries(this.tint).map(([z, f]) => [z, f.fit])) : null;
    this.switchEl.querySelectorAll("[data-size]").forEach((b) => {
      b.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (b).dataset.size === size));
    });
    this.hooks.onChange();
  }

  /**
   * Tint the garment drawn on `ctx` where the shown size is tight or loose, if asked to.
   * @param {CanvasRenderingContext2D} ctx @param {number[][]} landmarks @param {number} width @param {number} height
   */
  decorate(ctx, landmarks, width, height) {
    if (this.tint) tintZones(ctx, landmarks, width, height, this.tint);
  }

  /**
   * The mesh to draw: at the shown size's scale, else as fitted.
   * @param {any} mesh @param {number[][]} landmarks @param {number} width @param {number} height
   */
  view(mesh, landmarks, width, height) {
    return this.scale && this.scale !== 1 ? scaleMesh(mesh, landmarks, width, height, this.scale) : mesh;
  }
}
