/* Check-in at the door: scan a ticket's QR code with the phone's camera (BarcodeDetector).
 * Progressive: without BarcodeDetector or a camera, the code field stays the way in.
 * Markup: [data-scanner] (labels in data-label-start / data-label-stop / data-unsupported)
 * holding <video data-scanner-video> and [data-scanner-status]; the form [data-scanner-form]
 * with an input named "code" is submitted with the code read. */
(function () {
  "use strict";

  function init() {
    var box = document.querySelector("[data-scanner]");
    var form = document.querySelector("[data-scanner-form]");
    if (!box || !form) { return; }
    var status = box.querySelector("[data-scanner-status]");
    var video = box.querySelector("[data-scanner-video]");
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
        !navigator.mediaDevices.getUserMedia) {
      status.textContent = box.getAttribute("data-unsupported");
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = box.getAttribute("data-label-start");
    box.insertBefore(button, video);
    var stream = null;
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });

    function stop() {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
      video.hidden = true;
      button.textContent = box.getAttribute("data-label-start");
    }

    function scan() {
      if (!stream) { return; }
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          form.querySelector("[name=code]").value = codes[0].rawValue;
          stop();
          form.submit();
          return;
        }
        window.requestAnimationFrame(scan);
      }, function () { window.setTimeout(scan, 300); });
    }

    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(
        function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          video.play();
          button.textContent = box.getAttribute("data-label-stop");
          scan();
        },
        function () { status.textContent = box.getAttribute("data-unsupported"); }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
