// Open the camera and turn every failure into a message a shopper can act on.

/** @typedef {{code: string, message: string}} CameraProblem */
// Whether the camera can be used here at all is preflight.js's question, asked before this.

/**
 * Map a getUserMedia error to a shopper-facing problem.
 * @param {any} error
 * @returns {CameraProblem}
 */
export function describeCameraError(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "SecurityError") {
    return {
      code: "denied",
      message:
        "Camera access was blocked. Allow the camera for this site in your browser's site settings (the icon next to the address), then tap Retry.",
    };
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") {
    return { code: "no-camera", message: "No camera was found on this device. You can still try it on with a photo." };
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return { code: "busy", message: "The camera is in use by another app. Close it, then tap Retry." };
  }
  return { code: "error", message: "The camera could not be started. Tap Retry, or try it on with a photo." };
}

/**
 * Start the camera on `video`, front-facing by default, and resolve when frames flow.
 * @param {HTMLVideoElement} video
 * @param {"user"|"environment"} facingMode
 * @returns {Promise<MediaStream>}
 */
export async function startCamera(video, facingMode = "user") {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode, width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
  });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  if (video.readyState < 2 || !video.videoWidth) {
    await new Promise((resolve) => video.addEventListener("loadeddata", resolve, { once: true }));
  }
  return stream;
}

/** @param {MediaStream|null} stream */
export function stopCamera(stream) {
  if (stream) stream.getTracks().forEach((t) => t.stop());
}
