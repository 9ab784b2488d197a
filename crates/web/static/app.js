// Jixiao pages work without this script; it only adds confirmations to forms that ask for one,
// makes the 打印 buttons of printable documents open the print dialog (inline script and
// javascript: links are barred by the content security policy), keeps one menu group open at a
// time, refreshes the target grid's automatic review as the user types and offers each row only
// the 二级指标 of its 一级指标.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
  }
  // The header menu: one group open at a time, closed by a click elsewhere.
  var inside = event.target.closest ? event.target.closest("details.menu") : null;
  document.querySelectorAll("header.top details.menu[open]").forEach(function (d) {
    if (d !== inside) {
      d.removeAttribute("open");
    }
  });
});
// The target grid's automatic review (智能预审): as the user types, the grid is sent to the
// review (nothing is saved) and each row's notes are put beside it. Text only, never markup.
(function () {
  var form = document.querySelector("form[data-review-url]");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var url = form.getAttribute("data-review-url");
  var timer = null;
  var sequence = 0;
  function notes(target, list) {
    while (target.firstChild) {
      target.removeChild(target.firstChild);
    }
    (list || []).forEach(function (note) {
      var line = document.createElement("div");
      line.className = "review-note " + (note.severity === "error" ? "error" : "warning");
      var label = document.createElement("b");
      label.textContent = note.label;
      line.appendChild(label);
      line.appendChild(document.createTextNode(" " + note.message));
      target.appendChild(line);
    });
  }
  function show(answer) {
    var summary = document.querySelector("[data-review-summary]");
    if (summary) {
      summary.textContent = answer.summary;
    }
    document.querySelectorAll("[data-review-for]").forEach(function (target) {
      var key = target.getAttribute("data-review-for");
      notes(target, key === "sheet" ? answer.sheet : answer.rows[key]);
    });
  }
  function review() {
    var mine = ++sequence;
    var body = new URLSearchParams(new FormData(form));
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (answer && mine === sequence) {
        show(answer);
      }
    }).catch(function () {});
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(review, 600);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
// The target grid: a row's 二级指标 offers only the level-2 names under its 一级指标 (the other
// groups are hidden and disabled; a choice that no longer fits is cleared).
(function () {
  function fit(level1) {
    var name = level1.name.replace(/_level1$/, "_level2");
    var level2 = level1.form ? level1.form.elements[name] : null;
    if (!level2) {
      return;
    }
    var groups = level2.querySelectorAll("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var mine = !level1.value || groups[i].label === level1.value;
      groups[i].hidden = !mine;
      groups[i].disabled = !mine;
    }
    var chosen = level2.options[level2.selectedIndex];
    if (chosen && chosen.parentNode && chosen.parentNode.disabled) {
      level2.value = "";
    }
  }
  document.querySelectorAll("select[name$='_level1']").forEach(fit);
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name && /_level1$/.test(target.name)) {
      fit(target);
    }
  });
})();
