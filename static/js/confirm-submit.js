// A form with data-confirm asks before it is sent (the question is the attribute's text).
// Kept in a file, not an onsubmit attribute, so the Content Security Policy allows no inline
// script at all.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
