// Downloads that take a while (a 5,000-line claim as Excel, an audit pack): the link is
// fetched here and a progress bar shows the bytes received against the file's length, then
// the file is handed to the browser under its own name. Without JavaScript the plain link
// downloads the same file.
(function () {
  "use strict";

  function filenameOf(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  async function download(link) {
    var box = document.getElementById(link.dataset.progress);
    var bar = box && box.querySelector(".progress-bar");
    var label = box && box.querySelector("[data-progress-label]");
    if (box) box.hidden = false;
    link.classList.add("disabled");
    try {
      var response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      var total = Number(response.headers.get("Content-Length")) || 0;
      var reader = response.body.getReader();
      var chunks = [];
      var received = 0;
      for (;;) {
        var step = await reader.read();
        if (step.done) break;
        chunks.push(step.value);
        received += step.value.length;
        if (bar) {
          var pct = total ? Math.round((received * 100) / total) : 0;
          bar.style.width = (total ? pct : 100) + "%";
          bar.setAttribute("aria-valuenow", String(pct));
          if (!total) bar.classList.add("progress-bar-striped", "progress-bar-animated");
        }
        if (label) label.textContent = Math.round(received / 1024) + " KB" + (total ? " / " + Math.round(total / 1024) + " KB" : "");
      }
      save(new Blob(chunks, { type: response.headers.get("Content-Type") || "" }),
           filenameOf(response, link.getAttribute("download") || "download"));
      if (box) box.dataset.done = "1";
    } catch (err) {
      window.location.href = link.href; // let the browser try the plain link
    } finally {
      link.classList.remove("disabled");
      if (box) setTimeout(function () { box.hidden = true; }, 1500);
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-progress]");
    if (!link || !window.fetch || !window.ReadableStream) return;
    event.preventDefault();
    download(link);
  });
})();
