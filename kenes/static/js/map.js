/* District map on the region and district pages: draws the polygons from the page's
   data-geojson-url with Leaflet (no tile layer), highlights data-highlight, links each polygon
   to its page. Progressive: without JavaScript, or on any failure, the lists still serve. */
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !window.L || !window.fetch) {
    return;
  }
  var highlight = element.getAttribute("data-highlight");
  var unitUrl = element.getAttribute("data-unit-url");
  var russian = document.documentElement.lang === "ru";

  function nameOf(properties) {
    return (russian ? properties.ADM2_RU : properties.ADM2_KK) || properties.ADM2_KK || properties.KATO;
  }

  function draw(collection) {
    if (!collection || !collection.features || !collection.features.length) {
      return;
    }
    element.classList.add("map-ready");
    var map = L.map(element, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    var layer = L.geoJSON(collection, {
      style: function (feature) {
        var current = feature.properties.KATO === highlight;
        return {
          color: current ? "#9a3412" : "#1f4f72",
          weight: current ? 3 : 1,
          fillColor: current ? "#f59e0b" : "#3b82f6",
          fillOpacity: current ? 0.4 : 0.12
        };
      },
      onEachFeature: function (feature, path) {
        var label = document.createElement("span");
        label.textContent = nameOf(feature.properties); // text, never HTML
        path.bindTooltip(label, { sticky: true, className: "district-tooltip" });
        var kato = String(feature.properties.KATO);
        if (/^[0-9]{9}$/.test(kato) && unitUrl) {
          path.on("click", function () {
            window.location.assign(unitUrl.replace("000000000", kato));
          });
        }
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [8, 8] });
  }

  fetch(element.getAttribute("data-geojson-url"), { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(draw)
    .catch(function () {
      element.classList.remove("map-ready");
    });
})();
