// Benchmarking pages: progressive enhancement only (the pages work without it).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
