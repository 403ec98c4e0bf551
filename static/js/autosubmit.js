// Progressive enhancement: a form marked data-autosubmit sends itself when a choice changes,
// so the estimate follows the reason at once. Without JavaScript its button does the same.
document.addEventListener("change", function (event) {
  var field = event.target;
  var form = field.form;
  if (!form || !form.hasAttribute("data-autosubmit") || field.tagName !== "SELECT") {
    return;
  }
  if (typeof form.requestSubmit === "function") {
    form.requestSubmit();
  } else {
    form.submit();
  }
});
