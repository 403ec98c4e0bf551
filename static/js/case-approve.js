/* The relief amount as the reviewer types the percent: penalty × percent / 100, rounded half
   up to the fen, computed in whole fen so no float rounding creeps in (same rule as the
   server's rules.relief_amount). */
(function () {
  var form = document.getElementById("approve-form");
  var input = form.querySelector("input[name=percent]");
  var out = document.getElementById("approve-amount");
  var warn = document.getElementById("approve-four-eyes");
  var penalty = parseInt(form.dataset.penaltyFen, 10);
  var suggested = parseInt(form.dataset.suggested, 10);
  var limitFen = parseInt(form.dataset.fourEyesAmountFen, 10);
  var limitPoints = parseInt(form.dataset.fourEyesPoints, 10);
  function update() {
    var text = input.value.trim();
    var percent = parseInt(text, 10);
    if (!/^[0-9]+$/.test(text) || percent > 100) { out.textContent = "—"; warn.hidden = true; return; }
    var fen = Math.min(Math.floor((penalty * percent + 50) / 100), penalty);
    out.textContent = (fen / 100).toFixed(2);
    warn.hidden = !(fen > limitFen || percent - suggested > limitPoints);
  }
  input.addEventListener("input", update);
  update();
})();
