/* Service worker of the inspection tablet page (scope: {{ page }}), version {{ version }}.
 * Keeps the page and its files so the page opens in a kitchen without signal. The page is fetched from
 * the network first (fresh facilities and CSRF token when there is signal) and from the cache otherwise;
 * its files from the cache. Requests it does not know (the API above all) are not touched: a sync must
 * reach the server or fail, never be answered from a cache. */
const CACHE = "dolbom-field-{{ version }}";
const PAGE = "{{ page }}";
const FILES = [{% for f in files %}"{{ f }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([PAGE, ...FILES])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("dolbom-field-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    event.respondWith(fetch(request).then((response) => {
      // A login redirect is not the page: keep the last real one.
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put(PAGE, copy));
      }
      return response;
    }).catch(() => caches.match(PAGE)));
    return;
  }
  if (FILES.includes(url.pathname)) {
    event.respondWith(caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)));
  }
});
