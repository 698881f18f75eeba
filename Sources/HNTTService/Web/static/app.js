// hntt's page: confirmations before a procedure or a signature, the live steps of a run, a
// dashboard that refreshes itself. No inline scripts (the Content-Security-Policy allows none).
"use strict";

document.addEventListener("click", function (event) {
  var button = event.target.closest("button");
  if (!button) return;
  var question = button.getAttribute("data-confirm") || (button.form && button.form.getAttribute("data-confirm"));
  if (question && !window.confirm(question)) event.preventDefault();
});

function startRunEvents() {
  var steps = document.getElementById("run-steps");
  var status = document.getElementById("run-status");
  if (!steps || !status || !window.EventSource) return;
  if (status.className !== "status-running") return;
  // The stream replays every step from the start: the list is built from it.
  steps.textContent = "";
  var source = new EventSource(steps.getAttribute("data-events"));
  source.addEventListener("step", function (event) {
    var step = JSON.parse(event.data);
    var item = document.createElement("li");
    item.className = "step-" + step.status;
    var elapsed = document.createElement("span");
    elapsed.className = "elapsed";
    elapsed.textContent = step.elapsed_s + " s";
    var result = document.createElement("strong");
    result.textContent = step.status === "ok" ? "đạt" : "KHÔNG ĐẠT";
    item.appendChild(elapsed);
    item.appendChild(document.createTextNode(" " + (step.title_vi || step.title) + ": "));
    item.appendChild(result);
    if (step.detail) {
      var detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = " (" + step.detail + ")";
      item.appendChild(detail);
    }
    steps.appendChild(item);
  });
  source.addEventListener("finished", function (event) {
    var run = JSON.parse(event.data);
    var names = { succeeded: "Thành công", failed: "Không thành công", refused: "Bị từ chối", running: "Đang chạy" };
    status.textContent = names[run.status] || run.status;
    status.className = "status-" + run.status;
    if (run.error) {
      var error = document.createElement("p");
      error.className = "bad";
      error.id = "run-error";
      error.textContent = run.error.message;
      status.parentNode.insertAdjacentElement("afterend", error);
    }
    source.close();
  });
  source.onerror = function () { source.close(); };
}

function startRefresh() {
  var rooms = document.querySelector("[data-refresh]");
  if (!rooms) return;
  var seconds = parseInt(rooms.getAttribute("data-refresh"), 10) || 15;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
}

document.addEventListener("DOMContentLoaded", function () {
  startRunEvents();
  startRefresh();
});

// The approver's upload of a signed change order: the file goes to the API with the session's CSRF token.
document.addEventListener("click", function (event) {
  var button = event.target.closest("#order-apply");
  if (!button || event.defaultPrevented) return;
  var file = document.getElementById("order-file").files[0];
  var result = document.getElementById("order-result");
  if (!file) { result.textContent = "Hãy chọn tệp lệnh thay đổi."; return; }
  file.text().then(function (text) {
    return fetch("/api/v1/changes", {
      method: "POST", body: text, credentials: "same-origin",
      headers: { "Content-Type": "application/yaml", "X-CSRF-Token": button.getAttribute("data-csrf") }
    });
  }).then(function (response) {
    return response.json().then(function (body) {
      result.textContent = response.ok
        ? "Đã áp dụng lệnh " + body.order_id + " trên " + body.devices.map(function (d) { return d.device; }).join(", ")
        : "Không áp dụng được: " + (body.error ? body.error.message : response.status);
    });
  }).catch(function (error) { result.textContent = "Không gửi được: " + error; });
});
