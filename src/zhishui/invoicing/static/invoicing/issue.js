/* Issue form: rate choices follow the goods code, live totals, add/remove lines. No external assets.
   Amounts are computed in integer fen so the browser shows what the server will compute. */
(function () {
  "use strict";
  var form = document.getElementById("issue-form");
  if (!form) { return; }
  var catalogue = {};
  JSON.parse(document.getElementById("goods-catalogue").textContent).forEach(function (g) { catalogue[g.code] = g; });
  var body = document.querySelector("#lines tbody");

  function fen(text) {
    var m = /^\s*(-?)(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text || "");
    if (!m) { return null; }
    var cents = parseInt(m[2], 10) * 100 + parseInt(((m[3] || "") + "00").slice(0, 2), 10);
    return m[1] ? -cents : cents;
  }
  function show(cents) {
    var sign = cents < 0 ? "-" : "";
    cents = Math.abs(cents);
    var yuan = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + yuan + "." + ("0" + (cents % 100)).slice(-2);
  }
  function percent(rate) { return (Math.round(parseFloat(rate) * 10000) / 100) + "%"; }

  function fillRates(row) {
    var code = row.querySelector(".code").value.trim();
    var select = row.querySelector(".rate");
    var keep = select.value || select.getAttribute("data-value");
    var entry = catalogue[code];
    var hint = row.querySelector(".short");
    hint.textContent = entry ? "*" + entry.short + "*" + entry.name : (code.length === 19 ? "?" : "");
    select.innerHTML = "";
    (entry ? entry.rates : []).forEach(function (r) {
      var o = document.createElement("option");
      o.value = r; o.textContent = percent(r);
      if (keep && parseFloat(keep) === parseFloat(r)) { o.selected = true; }
      select.appendChild(o);
    });
  }

  function recompute() {
    var amount = 0, tax = 0;
    body.querySelectorAll("tr.line").forEach(function (row) {
      var qty = parseFloat(row.querySelector(".qty").value);
      var price = parseFloat(row.querySelector(".price").value);
      var amountInput = row.querySelector(".amount");
      if (document.activeElement !== amountInput && !isNaN(qty) && !isNaN(price) && (row.dataset.auto || !amountInput.value)) {
        amountInput.value = (Math.round(qty * price * 100) / 100).toFixed(2);
        row.dataset.auto = "1";
      }
      var cents = fen(amountInput.value);
      var rate = parseFloat(row.querySelector(".rate").value);
      var lineTax = (cents === null || isNaN(rate)) ? null : Math.round(cents * rate);
      row.querySelector(".tax").textContent = lineTax === null ? "" : show(lineTax);
      if (cents !== null) { amount += cents; }
      if (lineTax !== null) { tax += lineTax; }
    });
    document.getElementById("total-amount").textContent = show(amount);
    document.getElementById("total-tax").textContent = show(tax);
    document.getElementById("total-all").textContent = show(amount + tax);
  }

  var counter = body.querySelectorAll("tr.line").length;
  function wire(row) {
    row.querySelector(".code").addEventListener("input", function () { fillRates(row); recompute(); });
    row.querySelector(".amount").addEventListener("input", function () { delete row.dataset.auto; });
    row.querySelector(".remove").addEventListener("click", function () {
      if (body.querySelectorAll("tr.line").length > 1) { row.remove(); recompute(); }
    });
    fillRates(row);
  }
  body.querySelectorAll("tr.line").forEach(wire);
  document.getElementById("add-line").addEventListener("click", function () {
    var rows = body.querySelectorAll("tr.line");
    if (rows.length >= 2000) { return; }
    var row = rows[rows.length - 1].cloneNode(true);
    counter += 1;
    row.querySelectorAll("input, select").forEach(function (el) {
      var id = el.id.replace(/-\d+$/, "-" + counter);
      var label = row.querySelector('label[for="' + el.id + '"]');
      if (label) { label.setAttribute("for", id); }
      el.id = id;
      if (el.tagName === "INPUT") { el.value = ""; } else { el.removeAttribute("data-value"); el.innerHTML = ""; }
    });
    delete row.dataset.auto;
    row.querySelector(".tax").textContent = "";
    body.appendChild(row);
    wire(row);
    row.querySelector(".code").focus();
  });
  form.addEventListener("input", recompute);
  form.addEventListener("change", recompute);
  recompute();
})();
