/* The choropleth on /indicators/map/: draws the region's district polygons (data-geojson-url) with
   Leaflet, no tile layer, each filled with the colour the server chose (the JSON block named by
   data-shading: {KATO: {fill, text}}); a tooltip gives the name and the figure; a click opens the
   district's overview. Progressive: without JavaScript, or on any failure, the table below the map
   holds the same figures and colours. */
(function () {
  "use strict";
  var element = document.getElementById("choropleth");
  if (!element || !window.L || !window.fetch || !window.JSON) {
    return;
  }
  var shadingElement = document.getElementById(element.getAttribute("data-shading"));
  var shading = {};
  try {
    shading = JSON.parse(shadingElement ? shadingElement.textContent : "{}") || {};
  } catch (error) {
    return;
  }
  var unitUrl = element.getAttribute("data-unit-url");
  var language = document.documentElement.lang;

  function nameOf(properties) {
    return (language === "ru" ? properties.ADM2_RU : properties.ADM2_KK) || properties.ADM2_KK || properties.KATO;
  }

  function draw(collection) {
    if (!collection || !collection.features || !collection.features.length) {
      return;
    }
    element.classList.add("map-ready");
    var map = L.map(element, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    var layer = L.geoJSON(collection, {
      style: function (feature) {
        var shade = shading[String(feature.properties.KATO)];
        return {
          color: "#1b1f24",
          weight: 1,
          fillColor: shade ? shade.fill : "#d9d9d9",
          fillOpacity: 0.85
        };
      },
      onEachFeature: function (feature, path) {
        var kato = String(feature.properties.KATO);
        var shade = shading[kato];
        var label = document.createElement("span");
        label.textContent = nameOf(feature.properties) + ": " + (shade ? shade.text : "—"); // text, never HTML
        path.bindTooltip(label, { sticky: true, className: "district-tooltip" });
        if (/^[0-9]{9}$/.test(kato) && unitUrl) {
          path.on("click", function () {
            window.location.assign(unitUrl.replace("000000000", kato));
          });
        }
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    layer.eachLayer(function (path) {
      var drawn = path.getElement ? path.getElement() : null;
      if (drawn) {
        drawn.setAttribute("data-kato", String(path.feature.properties.KATO));
      }
    });
    element.setAttribute("data-drawn", String(layer.getLayers().length));
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
