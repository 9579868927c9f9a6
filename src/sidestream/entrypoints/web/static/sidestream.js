// Every HTMX request from a page carries the page's CSRF token (the body's data-csrf-token),
// as every form does in its hidden field.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.body.dataset.csrfToken;
  if (token) {
    event.detail.headers["X-CSRF-Token"] = token;
  }
});
