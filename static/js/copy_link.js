// "Copier le lien": copies the share link of a certificate. Without JavaScript the link
// stays in a read-only field that people can select and copy by hand.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const said = document.querySelector(`[data-copied="${button.dataset.copy}"]`);
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      said.textContent = gettext("Lien copié. Collez-le dans votre message.");
    } catch {
      field.select();
      said.textContent = gettext("Sélectionné : appuyez sur Ctrl+C (ou « Copier ») pour le copier.");
    }
  });
});
