// Progressive enhancement for forms that send files (form[data-upload]). Without JavaScript
// the form posts as usual. With it: the send button is disabled at once (no second click
// sends the files twice), and the files go up through XMLHttpRequest so a progress bar shows
// how much has been sent; the answer then replaces the page as a normal post would have.
(function () {
  function statusOf(form) {
    return form.querySelector("[data-upload-status]");
  }

  function show(form, sent, total) {
    var status = statusOf(form);
    if (!status) { return; }
    status.hidden = false;
    var bar = status.querySelector("progress");
    var text = status.querySelector("[data-upload-percent]");
    if (total > 0) {
      var percent = Math.min(100, Math.floor((sent / total) * 100));
      bar.value = percent;
      text.textContent = percent + "%";
    }
  }

  function fail(form, button) {
    button.disabled = false;
    button.removeAttribute("aria-disabled");
    var status = statusOf(form);
    if (status) {
      status.hidden = true;
      var failed = form.querySelector("[data-upload-failed]");
      if (failed) { failed.hidden = false; }
    }
  }

  function hasFiles(form) {
    var inputs = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].files && inputs[i].files.length) { return true; }
    }
    return false;
  }

  // Back to a page kept in the browser's memory after a plain post: its button works again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    var buttons = document.querySelectorAll("form[data-upload] button[type=submit]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = false;
      buttons[i].removeAttribute("aria-disabled");
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload") || event.defaultPrevented) {
      return;
    }
    var button = form.querySelector("button[type=submit]");
    if (button && button.disabled) {
      event.preventDefault();  // already sending
      return;
    }
    if (button) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    }
    if (!hasFiles(form) || !window.FormData || !window.XMLHttpRequest) {
      show(form, 0, 0);
      return;  // a plain post; the button stays disabled until the next page
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) { show(form, progress.loaded, progress.total); }
    });
    request.addEventListener("load", function () {
      // The server answered as it would a normal post (a redirect followed, or the form with
      // its errors): show that page, at its address.
      if (request.responseURL && request.responseURL !== window.location.href) {
        window.history.replaceState(null, "", request.responseURL);
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () { fail(form, button); });
    request.addEventListener("abort", function () { fail(form, button); });
    show(form, 0, 1);
    request.send(new FormData(form));
  });
})();
