// The map page: municipality and region outlines from the package, base tiles only when the
// server names a tile URL, and the streams and needs the reader may see, clustered, from
// /api/v1/map/listings.geojson. Text from the data goes into the page as text, never as HTML.
"use strict";

(function () {
  const element = document.getElementById("map");
  if (!element || typeof L === "undefined") {
    return;
  }
  const data = element.dataset;
  const status = document.getElementById("map-status");
  const select = document.getElementById("material-class");
  const LAPLAND = L.latLngBounds([65.5, 20.5], [70.1, 30.0]);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole
    );
  }

  function escapeHtml(text) {
    // Leaflet writes attributions as HTML: the configured text is shown as text.
    return text.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then((response) => {
        if (!response.ok) {
          throw new Error(url + ": HTTP " + response.status);
        }
        return response.json();
      });
  }

  const map = L.map(element, { minZoom: 4, maxZoom: 15 });
  map.fitBounds(LAPLAND, { animate: false });
  map.attributionControl.addAttribution(escapeHtml(data.outlineAttribution));
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, {
      attribution: escapeHtml(data.tileAttribution || ""),
      maxZoom: 18,
    }).addTo(map);
  }

  function nameTooltip(layer, feature) {
    const label = document.createElement("span");
    label.textContent = feature.properties.name_fi;
    layer.bindTooltip(label, { sticky: true });
  }

  const municipalities = L.geoJSON(null, {
    style: { className: "outline-municipality", color: "#7d8f94", weight: 0.7, fillColor: "#eef3f1", fillOpacity: 0.55 },
    onEachFeature: (feature, layer) => nameTooltip(layer, feature),
  }).addTo(map);
  const regions = L.geoJSON(null, {
    style: { className: "outline-region", color: "#1f6f5c", weight: 2, fill: false },
    interactive: false,
  }).addTo(map);

  const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  clusters.addTo(map);

  function row(parent, label, value) {
    const line = L.DomUtil.create("div", "popup-row", parent);
    const term = L.DomUtil.create("span", "popup-label", line);
    term.textContent = label + ": ";
    const text = L.DomUtil.create("span", "popup-value", line);
    text.textContent = value;
  }

  function popup(properties) {
    const box = L.DomUtil.create("div", "listing-popup");
    const kind = L.DomUtil.create("div", "popup-kind", box);
    kind.textContent = properties.kind === "stream" ? data.textStream : data.textNeed;
    const title = L.DomUtil.create("strong", "popup-title", box);
    title.textContent = properties.title;
    row(box, data.textMaterial, properties.material);
    row(box, data.textQuantity, properties.quantity);
    if (properties.municipality) {
      row(box, data.textMunicipality, properties.municipality);
    }
    if (properties.organisation_name) {
      row(box, data.textOrganisation, properties.organisation_name);
      if (properties.site_name) {
        row(box, data.textSite, properties.site_name);
      }
    } else {
      const note = L.DomUtil.create("div", "popup-note", box);
      note.textContent = data.textAnonymous;
    }
    return box;
  }

  function marker(feature) {
    const properties = feature.properties;
    const [longitude, latitude] = feature.geometry.coordinates;
    const classes = ["listing-marker", "listing-" + properties.kind];
    if (properties.location !== "site") {
      classes.push("listing-approximate");
    }
    const icon = L.divIcon({ className: classes.join(" "), iconSize: [14, 14] });
    const title = properties.title;
    return L.marker([latitude, longitude], { icon: icon, title: title, alt: title, keyboard: true })
      .bindPopup(() => popup(properties));
  }

  function showListings(collection, fit) {
    clusters.clearLayers();
    const markers = [];
    let streams = 0;
    let needs = 0;
    let unplaced = 0;
    for (const feature of collection.features) {
      if (!feature.geometry) {
        unplaced += 1;
        continue;
      }
      if (feature.properties.kind === "stream") {
        streams += 1;
      } else {
        needs += 1;
      }
      markers.push(marker(feature));
    }
    if (fit && markers.length) {
      // Fit before clustering, so that no cluster animates from the old zoom to the new.
      const bounds = L.latLngBounds(markers.map((one) => one.getLatLng()));
      map.fitBounds(bounds.pad(0.2), { maxZoom: 9, animate: false });
    }
    clusters.addLayers(markers);
    element.dataset.listingCount = String(markers.length);
    let text = fill(data.textShown, { streams: streams, needs: needs });
    if (unplaced) {
      text += " " + fill(data.textUnplaced, { count: unplaced });
    }
    status.textContent = text;
  }

  function fillClasses(names) {
    for (const [code, name] of Object.entries(names)) {
      const option = document.createElement("option");
      option.value = code;
      option.textContent = name;
      select.appendChild(option);
    }
  }

  function loadListings(code, fit) {
    const url = new URL(data.listingsUrl, window.location.href);
    if (code) {
      url.searchParams.set("material_class_code", code);
    }
    return getJson(url.toString()).then((collection) => {
      showListings(collection, fit);
      return collection;
    });
  }

  function failed(error) {
    status.textContent = data.textFailed;
    element.dataset.error = String(error);
  }

  const outlines = Promise.all([getJson(data.municipalitiesUrl), getJson(data.regionsUrl)]).then(
    ([municipalityOutlines, regionOutlines]) => {
      municipalities.addData(municipalityOutlines);
      regions.addData(regionOutlines);
      element.dataset.outlineCount = String(municipalities.getLayers().length);
    }
  );
  const asked = new URLSearchParams(window.location.search).get("material_class_code") || "";
  const listings = loadListings("", true).then((collection) => {
    fillClasses(collection.material_class_names || {});
    if (asked && select.querySelector('option[value="' + CSS.escape(asked) + '"]')) {
      select.value = asked;
      return loadListings(asked, false);
    }
    return null;
  });
  Promise.all([outlines, listings])
    .then(() => {
      element.dataset.ready = "true";
    })
    .catch(failed);

  select.addEventListener("change", () => {
    element.dataset.ready = "false";
    loadListings(select.value, false)
      .then(() => {
        element.dataset.ready = "true";
      })
      .catch(failed);
  });
  document.getElementById("map-filter").addEventListener("submit", (event) => {
    event.preventDefault();
  });
})();
