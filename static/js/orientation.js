// "Près de chez moi": with JavaScript and the person's agreement, the browser gives its
// position and the orientation guide sorts places by distance. Without JavaScript the
// button stays hidden and the person chooses a neighbourhood.
const nearMe = document.getElementById("near-me");
if (nearMe && "geolocation" in navigator) {
  const said = document.getElementById("near-me-status");
  nearMe.hidden = false;
  nearMe.addEventListener("click", () => {
    said.textContent = gettext("Recherche de votre position…");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const form = nearMe.form;
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.elements.quartier.value = "pres";
        form.submit();
      },
      () => {
        said.textContent = gettext("Position introuvable : choisissez plutôt un quartier.");
      },
      { timeout: 10000, maximumAge: 600000 },
    );
  });
}
