/* Planning maps (templates/_partials/map.html, civic/planning/maps.py).

   The page holds only an empty container with data attributes: the CSP allows no inline script. This file
   (1) finds each container not yet started, on DOMContentLoaded and whenever HTMX swaps content in, loads the
   vendored Leaflet files once for the page and then the map's own script (/planning/<id>/map.js, written by
   Folium); (2) offers CivicPlanningMap.attach(), which that script calls with its map: it loads the features of
   the visible area from the bounding-box endpoint (view mode) or copies the one drawn shape into the form's
   field (draw and boundary modes).

   Everything a resident or planner wrote reaches the page through textContent, never innerHTML. Positions are
   WGS-84 everywhere except on the screen: with data-display-crs="gcj02" (CIVIC_MAP_DISPLAY_CRS) they are shifted
   onto GCJ-02 tiles for display, and drawn shapes shifted back before they are written into the form. */
(function () {
  "use strict";

  var SELECTOR = ".planning-map[data-map-script]";
  var DEBOUNCE_MS = 250;
  var PRECISION = 7;
  var DEFAULT_COLOUR = "#2b6cb0";
  var vendorLoading = null;
  var styled = {};
  // Where each container is, kept in JavaScript rather than in data attributes: when HTMX swaps in an element
  // whose id the old one had, it first copies the old attributes onto it and restores the new ones when it
  // settles, which would carry an old map's state over (and strip what Leaflet adds before then).
  var started = new WeakSet();  // the loader has begun with it
  var claimed = new WeakSet();  // a map script is building its map
  var ready = new WeakSet();  // attach() has run

  /* ---- loading ---------------------------------------------------------------------------------------- */

  function words(text) {
    return (text || "").split(/\s+/).filter(Boolean);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;
      script.onload = function () { script.remove(); resolve(); };
      script.onerror = function () { script.remove(); reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function loadVendor(container) {
    words(container.dataset.vendorCss).forEach(function (href) {
      if (styled[href]) { return; }
      styled[href] = true;
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      document.head.appendChild(link);
    });
    if (!vendorLoading) {
      // In order: the plugins extend the L that Leaflet defines.
      vendorLoading = words(container.dataset.vendorJs).reduce(function (chain, src) {
        return chain.then(function () { return loadScript(src); });
      }, Promise.resolve());
      vendorLoading.catch(function () { vendorLoading = null; });  // the next map may try again
    }
    return vendorLoading;
  }

  function statusOf(container) {
    var block = container.closest("[data-map-block]");
    return block ? block.querySelector(".planning-map-status") : null;
  }

  function say(container, text) {
    var status = statusOf(container);
    if (status) { status.textContent = text || ""; }
  }

  function failed(container) {
    if (!container.isConnected || ready.has(container)) { return; }
    container.hidden = true;
    say(container, container.dataset.textFailed);
  }

  /* Leaflet.draw builds its toolbar from the global L.drawLocal, in English: before a map script builds one,
     put in the page's words (data-draw-words, translated on the server). Only text is set; Leaflet.draw
     shows some of these through innerHTML, and they come from our own catalogue, never from users. */
  function localiseDraw(container) {
    if (!window.L || !L.drawLocal || !container.dataset.drawWords) { return; }
    var w;
    try { w = JSON.parse(container.dataset.drawWords); } catch (ignored) { return; }
    var draw = L.drawLocal.draw, edit = L.drawLocal.edit;
    draw.toolbar.actions = { title: w.cancelTitle, text: w.cancel };
    draw.toolbar.finish = { title: w.finishTitle, text: w.finish };
    draw.toolbar.undo = { title: w.undoTitle, text: w.undo };
    draw.toolbar.buttons.polyline = w.line;
    draw.toolbar.buttons.polygon = w.area;
    draw.toolbar.buttons.marker = w.point;
    draw.handlers.marker.tooltip.start = w.pointStart;
    draw.handlers.polygon.tooltip = { start: w.areaStart, cont: w.areaCont, end: w.areaEnd };
    draw.handlers.polyline.tooltip = { start: w.lineStart, cont: w.lineCont, end: w.lineEnd };
    draw.handlers.polyline.error = w.crossing;
    edit.toolbar.actions.save = { title: w.saveTitle, text: w.save };
    edit.toolbar.actions.cancel = { title: w.cancelEditTitle, text: w.cancel };
    edit.toolbar.actions.clearAll = { title: w.clearTitle, text: w.clear };
    edit.toolbar.buttons = { edit: w.edit, editDisabled: w.editDisabled, remove: w.remove,
                             removeDisabled: w.removeDisabled };
    edit.handlers.edit.tooltip = { text: w.editText, subtext: w.editSubtext };
    edit.handlers.remove.tooltip = { text: w.removeText };
  }

  function start(container) {
    if (started.has(container)) { return; }
    started.add(container);
    var block = container.closest("[data-map-block]");
    if (block) { block.hidden = false; }
    say(container, container.dataset.textLoading);
    loadVendor(container)
      .then(function () { localiseDraw(container); return loadScript(container.dataset.mapScript); })
      .then(function () { if (!ready.has(container)) { failed(container); } })
      .catch(function () { failed(container); });
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) { return; }
    if (root.matches && root.matches(SELECTOR)) { start(root); }
    root.querySelectorAll(SELECTOR).forEach(start);
  }

  /* ---- GCJ-02 (the same formula as civic/planning/gcj02.py) -------------------------------------------- */

  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lon, lat) {
    return !(lon > 73.66 && lon < 135.05 && lat > 3.86 && lat < 53.55);
  }

  function dLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }

  function dLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }

  function toGcj(lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var rad = lat / 180.0 * Math.PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sqrtMagic = Math.sqrt(magic);
    var y = dLat(lon - 105.0, lat - 35.0) * 180.0 / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
    var x = dLon(lon - 105.0, lat - 35.0) * 180.0 / (A / sqrtMagic * Math.cos(rad) * Math.PI);
    return [lon + x, lat + y];
  }

  function toWgs(lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var x = lon, y = lat;
    for (var i = 0; i < 30; i += 1) {
      var g = toGcj(x, y);
      var dx = lon - g[0], dy = lat - g[1];
      x += dx;
      y += dy;
      if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) { break; }
    }
    return [x, y];
  }

  function mapPositions(coordinates, convert) {
    if (typeof coordinates[0] === "number") {
      return convert(coordinates[0], coordinates[1]).concat(coordinates.slice(2));
    }
    return coordinates.map(function (part) { return mapPositions(part, convert); });
  }

  function roundPositions(coordinates) {
    var scale = Math.pow(10, PRECISION);
    return mapPositions(coordinates, function (lon, lat) {
      return [Math.round(lon * scale) / scale, Math.round(lat * scale) / scale];
    });
  }

  function latLngOf(gcj) {
    return function (c) {
      var p = gcj ? toGcj(c[0], c[1]) : c;
      return L.latLng(p[1], p[0]);
    };
  }

  /* ---- what people wrote, as DOM nodes --------------------------------------------------------------- */

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (text !== undefined && text !== null && text !== "") { element.textContent = String(text); }
    return element;
  }

  function colourOf(value) {
    return /^#[0-9a-fA-F]{6}$/.test(value || "") ? value : DEFAULT_COLOUR;
  }

  function localPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" ? url : null;
  }

  function fill(template, count) {
    return (template || "{count}").replace("{count}", String(count));
  }

  function popupOf(p, texts) {
    var box = node("div", "planning-popup");
    var title = node("p", "planning-popup-title");
    var href = p.kind === "proposal" ? localPath(p.url) : null;
    if (href) {
      var link = node("a", "", p.title);
      link.href = href;
      title.appendChild(link);
    } else {
      title.textContent = p.title || "";
    }
    box.appendChild(title);
    if (p.kind === "proposal") {
      if (p.place_label) { box.appendChild(node("p", "", p.place_label)); }
      var meta = node("p", "planning-popup-meta");
      var swatch = node("span", "category-swatch");
      swatch.style.backgroundColor = colourOf(p.colour);
      swatch.setAttribute("aria-hidden", "true");
      meta.appendChild(swatch);
      meta.appendChild(document.createTextNode([p.category_label, p.status_label].filter(Boolean).join(" · ")));
      box.appendChild(meta);
      box.appendChild(node("p", "planning-popup-meta",
        fill(texts.support, p.support) + " · " + fill(texts.comments, p.comments)));
      if (href) {
        var open = node("a", "", texts.open);
        open.href = href;
        box.appendChild(node("p")).appendChild(open);
      }
    } else {
      box.appendChild(node("p", "planning-popup-meta", p.visibility === "internal" ? texts.internal : texts.note));
      if (p.body) { box.appendChild(node("p", "planning-popup-body", p.body)); }
    }
    return box;
  }

  function bindText(layer, p, texts) {
    layer.bindPopup(popupOf(p, texts));
    layer.bindTooltip(node("span", "", p.title));
  }

  /* ---- view mode: the features of the visible area --------------------------------------------------- */

  function textsOf(data) {
    return {
      support: data.textSupport, comments: data.textComments, open: data.textOpen, internal: data.textInternal,
      note: data.textNote, clusterOne: data.textClusterOne, clusterOther: data.textClusterOther
    };
  }

  function markerFor(feature, toLatLng, texts) {
    var p = feature.properties;
    var note = p.kind === "annotation";
    var dot = node("span", note ? "planning-marker-dot planning-marker-note" : "planning-marker-dot");
    dot.setAttribute("aria-hidden", "true");
    if (!note) { dot.style.backgroundColor = colourOf(p.colour); }
    var marker = L.marker(toLatLng(feature.geometry.coordinates), {
      icon: L.divIcon({ className: "planning-marker", html: dot, iconSize: [18, 18], iconAnchor: [9, 9],
                        popupAnchor: [0, -8], tooltipAnchor: [9, 0] }),
      title: p.title || "", keyboard: true, riseOnHover: true
    });
    bindText(marker, p, texts);
    return marker;
  }

  function shapeFor(feature, toLatLng, texts) {
    var p = feature.properties;
    var note = p.kind === "annotation";
    var layer = L.geoJSON(feature, {
      coordsToLatLng: toLatLng,
      style: function () {
        return note ? { color: "#4a5568", weight: 2, dashArray: "4 4", fillOpacity: 0.08 }
                    : { color: colourOf(p.colour), weight: 4, opacity: 0.9, fillOpacity: 0.25 };
      }
    });
    bindText(layer, p, texts);
    return layer;
  }

  function clusterFor(feature, map, toLatLng, texts) {
    var count = feature.properties.count;
    var label = fill(count === 1 ? texts.clusterOne : texts.clusterOther, count);
    var marker = L.marker(toLatLng(feature.geometry.coordinates), {
      icon: L.divIcon({ className: "planning-server-cluster", html: node("span", "", count), iconSize: [40, 40] }),
      title: label, keyboard: true
    });
    marker.on("click keypress", function (event) {
      if (event.type === "keypress" && event.originalEvent && event.originalEvent.key !== "Enter") { return; }
      var box = feature.bbox;
      if (box && (box[0] !== box[2] || box[1] !== box[3])) {
        map.fitBounds(L.latLngBounds(toLatLng([box[0], box[1]]), toLatLng([box[2], box[3]])), { padding: [24, 24] });
      } else {
        map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom()));
      }
    });
    return marker;
  }

  function showFeatures(map, container, points, gcj) {
    var data = container.dataset;
    var texts = textsOf(data);
    var toLatLng = latLngOf(gcj);
    var markers = points || (L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false })
                                                  : L.featureGroup());
    if (!points) { markers.addTo(map); }
    var shapes = L.featureGroup().addTo(map);
    var clusters = L.featureGroup().addTo(map);
    // Features already on the map, by id, so that panning (or a popup panning the map) keeps them and their
    // open popups: only what left the view goes, only what came in is added.
    var shown = {};
    var timer = null;
    var controller = null;

    function render(collection) {
      var wanted = {};
      var added = [];
      clusters.clearLayers();
      (collection.features || []).forEach(function (feature) {
        var p = feature.properties || {};
        if (p.kind === "cluster") {
          clusters.addLayer(clusterFor(feature, map, toLatLng, texts));
          return;
        }
        var signature = JSON.stringify(feature);
        wanted[feature.id] = true;
        if (shown[feature.id] && shown[feature.id].signature === signature) { return; }
        if (shown[feature.id]) { shown[feature.id].group.removeLayer(shown[feature.id].layer); }
        var point = feature.geometry.type === "Point";
        var layer = point ? markerFor(feature, toLatLng, texts) : shapeFor(feature, toLatLng, texts);
        shown[feature.id] = { layer: layer, group: point ? markers : shapes, signature: signature };
        if (point) { added.push(layer); } else { shapes.addLayer(layer); }
      });
      Object.keys(shown).forEach(function (id) {
        if (!wanted[id]) {
          shown[id].group.removeLayer(shown[id].layer);
          delete shown[id];
        }
      });
      if (markers.addLayers) { markers.addLayers(added); } else { added.forEach(function (m) { markers.addLayer(m); }); }
    }

    function bbox() {
      var bounds = map.getBounds();
      var sw = bounds.getSouthWest(), ne = bounds.getNorthEast();
      var a = gcj ? toWgs(sw.lng, sw.lat) : [sw.lng, sw.lat];
      var b = gcj ? toWgs(ne.lng, ne.lat) : [ne.lng, ne.lat];
      function clamp(v, limit) { return Math.max(-limit, Math.min(limit, v)).toFixed(6); }
      return [clamp(a[0], 180), clamp(a[1], 90), clamp(b[0], 180), clamp(b[1], 90)].join(",");
    }

    function load() {
      if (!container.isConnected) { return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var url = data.featuresUrl + "?bbox=" + bbox() + "&zoom=" + Math.round(map.getZoom()) +
        (data.filterQuery ? "&" + data.filterQuery : "");
      fetch(url, { signal: controller.signal, credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("features: HTTP " + response.status); }
          return response.json();
        })
        .then(function (collection) { render(collection); say(container, ""); })
        .catch(function (error) { if (error.name !== "AbortError") { say(container, data.textFailed); } });
    }

    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(load, DEBOUNCE_MS);
    });
    load();
  }

  /* ---- draw and boundary modes: one shape, copied into the form --------------------------------------- */

  function drawInto(map, container, drawnItems, gcj) {
    var field = document.getElementById(container.dataset.geometryTarget || "");
    if (!field) { return; }
    var style = { color: "#b7791f", weight: 3 };

    // A form that came back with an error (or an edit form) already holds a shape: show it, editable.
    if (field.value.trim()) {
      try {
        var existing = L.geoJSON(JSON.parse(field.value), { coordsToLatLng: latLngOf(gcj), style: style });
        var first = existing.getLayers()[0];
        if (first) { drawnItems.addLayer(first); }
      } catch (ignored) {
        // Not GeoJSON: leave the field as it is; the server says what is wrong with it.
      }
    }

    function write() {
      var layers = drawnItems.getLayers();
      if (!layers.length) {
        field.value = "";
      } else {
        var geometry = layers[layers.length - 1].toGeoJSON(PRECISION).geometry;
        if (gcj) { geometry.coordinates = roundPositions(mapPositions(geometry.coordinates, toWgs)); }
        field.value = JSON.stringify(geometry);
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }

    map.on("draw:created", function (event) {
      // One shape at a time: a new drawing replaces the previous one.
      drawnItems.eachLayer(function (layer) {
        if (layer !== event.layer) { drawnItems.removeLayer(layer); }
      });
      drawnItems.addLayer(event.layer);
      write();
    });
    map.on("draw:edited draw:deleted", write);
  }

  /* ---- the API the map scripts call ----------------------------------------------------------------- */

  window.CivicPlanningMap = {
    /* Whether the map script may build its map in this container: one the loader has started (so HTMX has
       settled it and it is shown) and no script has claimed yet. The script fetched for a container that HTMX
       has since replaced carries the same id and may arrive late: it builds its successor's map if that one
       is waiting, and otherwise leaves it to the successor's own script. */
    claim: function (id) {
      var container = document.getElementById(id);
      if (!container || !started.has(container) || claimed.has(container) || container._leaflet_id) { return false; }
      claimed.add(container);
      return true;
    },

    attach: function (map, drawnItems, points) {
      var container = map.getContainer();
      var gcj = container.dataset.displayCrs === "gcj02";
      ready.add(container);
      say(container, "");
      if (container.dataset.mode === "view") {
        showFeatures(map, container, points, gcj);
      } else if (drawnItems) {
        drawInto(map, container, drawnItems, gcj);
      }
    }
  };

  document.addEventListener("htmx:load", function (event) {
    scan((event.detail && event.detail.elt) || event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
}());
