// Behaviour every page shares, wired by data attributes so templates carry no inline script or handler
// (the Content-Security-Policy allows scripts only from this server's files):
//   <select data-autosubmit>  submits its form when changed (the language switch);
//   <form data-confirm="…">   asks the question first and submits only on OK (ending a class).

document.addEventListener("change", (event) => {
  const select = event.target.closest?.("select[data-autosubmit]");
  if (select?.form) select.form.requestSubmit();
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest?.("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
