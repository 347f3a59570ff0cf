/* District maps, drawn with Leaflet from the element's data-geojson-url (no tile layer):
   - on the territory pages (#map): the region's districts, data-highlight marked, each linked to
     its page;
   - on the indicators map (#choropleth): each district filled with the colour the server chose (the
     JSON block named by data-shading: {KATO: {fill, text}}), its figure in the tooltip, linked to
     its overview.
   Progressive: without JavaScript, or on any failure, the lists and tables on the page still serve. */
(function () {
  "use strict";
  var element = document.getElementById("map") || document.getElementById("choropleth");
  if (!element || !window.L || !window.fetch) {
    return;
  }
  var highlight = element.getAttribute("data-highlight");
  var unitUrl = element.getAttribute("data-unit-url");
  var language = document.documentElement.lang;
  var shading = null;
  var shadingElement = document.getElementById(element.getAttribute("data-shading") || "");
  if (shadingElement) {
    try {
      shading = JSON.parse(shadingElement.textContent) || {};
    } catch (error) {
      return;
    }
  }

  function nameOf(properties) {
    return (language === "ru" ? properties.ADM2_RU : properties.ADM2_KK) || properties.ADM2_KK || properties.KATO;
  }

  function style(feature) {
    var kato = String(feature.properties.KATO);
    if (shading) {
      var shade = shading[kato];
      return { color: "#1b1f24", weight: 1, fillColor: shade ? shade.fill : "#d9d9d9", fillOpacity: 0.85 };
    }
    var current = kato === highlight;
    return {
      color: current ? "#9a3412" : "#1f4f72",
      weight: current ? 3 : 1,
      fillColor: current ? "#f59e0b" : "#3b82f6",
      fillOpacity: current ? 0.4 : 0.12
    };
  }

  function draw(collection) {
    if (!collection || !collection.features || !collection.features.length) {
      return;
    }
    element.classList.add("map-ready");
    var map = L.map(element, { attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    var layer = L.geoJSON(collection, {
      style: style,
      onEachFeature: function (feature, path) {
        var kato = String(feature.properties.KATO);
        var label = document.createElement("span");
        label.textContent = nameOf(feature.properties); // text, never HTML
        if (shading) {
          label.textContent += ": " + (shading[kato] ? shading[kato].text : "—");
        }
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
