/* The map of the guide. Progressive enhancement: the page is a complete list without it;
   if Leaflet or the tiles do not load, a message points to the list. */
(function () {
  "use strict";
  var element = document.getElementById("map");
  var data = document.getElementById("map-markers");
  if (!element || !data || typeof L === "undefined") {
    return;
  }
  var markers = JSON.parse(data.textContent);
  // The marker images by their collected (hashed) names: Leaflet would look for
  // "marker-icon.png" beside its stylesheet, a name that production does not serve.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: element.dataset.iconUrl,
    iconRetinaUrl: element.dataset.iconRetinaUrl,
    shadowUrl: element.dataset.shadowUrl
  });
  var map = L.map(element, { scrollWheelZoom: false });
  var tiles = L.tileLayer(element.dataset.tileUrl, {
    maxZoom: 19,
    attribution: element.dataset.tileAttribution
  });
  var failures = 0;
  tiles.on("tileerror", function () {
    failures += 1;
    if (failures === 3) {
      document.getElementById("map-error").hidden = false;
    }
  });
  tiles.addTo(map);
  var bounds = [];
  markers.forEach(function (place) {
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.name;
    var address = document.createElement("p");
    address.textContent = place.address;
    popup.appendChild(link);
    popup.appendChild(address);
    L.marker([place.lat, place.lon], { title: place.name, alt: place.name })
      .bindPopup(popup)
      .addTo(map);
    bounds.push([place.lat, place.lon]);
  });
  // A town's page opens on the town's centre (data-centre-*, when the town has one), zoomed
  // out just enough to show every place; otherwise the map fits the places, or France.
  var centre = [parseFloat(element.dataset.centreLat), parseFloat(element.dataset.centreLon)];
  if (isFinite(centre[0]) && isFinite(centre[1])) {
    var around = [centre];
    bounds.forEach(function (point) {
      // Each place and its mirror image through the centre: bounds centred on the town.
      around.push(point, [2 * centre[0] - point[0], 2 * centre[1] - point[1]]);
    });
    var zoom = bounds.length
      ? Math.min(map.getBoundsZoom(L.latLngBounds(around), false, L.point(60, 60)), 16)
      : 13;
    map.setView(centre, zoom);
  } else if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  } else {
    map.setView([46.6, 2.4], 5);
  }
  element.classList.add("map-ready");
})();
