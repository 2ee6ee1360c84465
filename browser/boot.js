/* chatdump's boot guard: a classic script that runs before PyScript, for what Python cannot do yet.
 *
 * 1. In a cross-site iframe with third-party storage blocked, indexedDB.open fails and PyScript
 *    0.7.31's error handler throws, so it never boots. When the real open fails, hand PyScript a
 *    small in-memory database instead (it only caches there); a top-level page keeps the real one.
 * 2. In a sandbox without allow-same-origin the page has an opaque origin: PyScript's module
 *    scripts cannot even load, and the widget could not call its own API safely. Say so plainly.
 * 3. Apply the embed layout before the first paint, so a host page never sees a white flash.
 * 4. Bound the start-up: a page still "loading" after two minutes says so.
 */
(function () {
  "use strict";

  function memoryDatabase() {
    var stores = {};
    function request(run) {
      var req = { result: undefined, error: null, readyState: "pending", onsuccess: null, onerror: null };
      setTimeout(function () {
        req.result = run();
        req.readyState = "done";
        if (req.onsuccess) req.onsuccess.call(req, { type: "success", target: req });
      }, 0);
      return req;
    }
    function store(name) {
      var map = stores[name];
      return {
        get: function (key) { return request(function () { return map.get(key); }); },
        getKey: function (key) { return request(function () { return map.has(key) ? key : undefined; }); },
        getAllKeys: function () { return request(function () { return Array.from(map.keys()); }); },
        count: function () { return request(function () { return map.size; }); },
        put: function (value, key) { return request(function () { map.set(key, value); return key; }); },
        delete: function (key) { return request(function () { map.delete(key); }); },
        clear: function () { return request(function () { map.clear(); }); }
      };
    }
    var db = {
      objectStoreNames: { get length() { return Object.keys(stores).length; } },
      createObjectStore: function (name) { stores[name] = new Map(); return store(name); },
      transaction: function () {
        var tx = { oncomplete: null, objectStore: store };
        setTimeout(function () { if (tx.oncomplete) tx.oncomplete({ type: "complete", target: tx }); }, 0);
        return tx;
      },
      close: function () {}
    };
    return db;
  }

  function openInMemory(req) {
    var db = memoryDatabase();
    var tx = { oncomplete: null };
    var target = { result: db, transaction: tx, readyState: "done", error: null };
    if (req.onupgradeneeded) req.onupgradeneeded.call(req, { type: "upgradeneeded", target: target });
    setTimeout(function () {
      if (tx.oncomplete) tx.oncomplete({ type: "complete", target: tx });
      if (req.onsuccess) req.onsuccess.call(req, { type: "success", target: target });
    }, 0);
  }

  var factory = window.IDBFactory && window.IDBFactory.prototype;
  if (factory && factory.open) {
    var realOpen = factory.open;
    factory.open = function () {
      var req;
      try {
        req = realOpen.apply(this, arguments);
      } catch (denied) {
        req = { onsuccess: null, onerror: null, onupgradeneeded: null };
        setTimeout(function () { openInMemory(req); }, 0);
        return req;
      }
      // Registered before the caller's own onerror, so the caller never sees the failure.
      req.addEventListener("error", function (event) {
        event.preventDefault();
        event.stopImmediatePropagation();
        openInMemory(req);
      });
      return req;
    };
  }

  // Scripts run: hide the message meant for frames whose sandbox forbids them.
  document.documentElement.setAttribute("data-chatdump-scripts", "on");

  var params = location.search + "&" + location.hash.slice(1);
  if (/(^|[?&#])layout=embed(&|$)/.test(params)) {
    document.documentElement.setAttribute("data-chatdump-layout", "embed");
  }

  // Every wait is bounded: if Python has not started after this long, say so instead of "Starting…".
  setTimeout(function () {
    var root = document.documentElement;
    if (root.getAttribute("data-chatdump-state") !== "loading") return;
    var status = document.getElementById("chatdump-status");
    if (status) status.textContent = "chatdump could not start in this browser (it needs WebAssembly); try reloading the page.";
    root.setAttribute("data-chatdump-state", "error");
  }, 120000);

  if (window.origin === "null") {
    document.addEventListener("DOMContentLoaded", function () {
      var status = document.getElementById("chatdump-status");
      var button = document.getElementById("chatdump-download");
      if (status) {
        status.textContent =
          "This frame is sandboxed without allow-same-origin, so chatdump cannot reach its own " +
          "server safely. The page embedding it must use " +
          'sandbox="allow-scripts allow-same-origin allow-downloads" (or no sandbox).';
      }
      if (button) button.setAttribute("aria-disabled", "true");
      document.documentElement.setAttribute("data-chatdump-error", "sandbox_opaque_origin");
      document.documentElement.setAttribute("data-chatdump-state", "error");
    });
  }
})();
