// Progressive enhancement of the data-quality page: filter the findings table by province,
// rule and severity. Without this script every finding is listed.
(function () {
  var form = document.querySelector("form.filters");
  var table = document.querySelector("table.findings");
  if (!form || !table) return;
  form.hidden = false;
  var selects = form.querySelectorAll("select[data-filter]");
  function apply() {
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var show = Array.prototype.every.call(selects, function (s) {
        return !s.value || row.getAttribute("data-" + s.getAttribute("data-filter")) === s.value;
      });
      row.hidden = !show;
    });
  }
  Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
})();
