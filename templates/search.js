// Search provinces and communes by name in both scripts, or by code. Matching is by substring,
// which is what Khmer needs: it is written without spaces between words.
(function () {
  var form = document.querySelector("form.search");
  var input = document.getElementById("q");
  var out = document.getElementById("results");
  var index = window.FTC_SEARCH || [];
  if (!form || !input || !out) return;
  form.hidden = false;
  function norm(s) { return s.toLowerCase().replace(/[\s\-']/g, ""); }
  input.addEventListener("input", function () {
    var q = norm(input.value);
    out.textContent = "";
    if (!q) return;
    index.filter(function (e) {
      return norm(e.en).indexOf(q) >= 0 || norm(e.km).indexOf(q) >= 0 || e.code.indexOf(q) === 0;
    }).slice(0, 50).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.href;
      a.textContent = document.documentElement.lang === "km" ? e.km + " (" + e.en + ")" : e.en + " (" + e.km + ")";
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + e.code));
      out.appendChild(li);
    });
  });
})();
