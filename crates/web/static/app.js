// Jixiao pages work without this script; it only adds confirmations to forms that ask for one
// and makes the 打印 buttons of printable documents open the print dialog (inline script and
// javascript: links are barred by the content security policy).
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
});
