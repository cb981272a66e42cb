"""The booking page inside a partner's site (?embed=1): what the app's pages need to work
in a cross-site iframe, and the code a host pastes on their site.

In a cross-site iframe the browser may refuse the page its cookies and storage (Chromium
blocks third-party cookies, and with them localStorage and sessionStorage, which then
throw "SecurityError: Access is denied"). Reflex keeps its tab token in sessionStorage,
so `FRAME_SCRIPT` runs first in every page's head: where storage throws it puts an
in-memory stand-in in its place (this view's state lives as long as the frame; the only
loss is the returning visitor's pre-fill, which needs a cookie). In a frame, it also posts
the page's height to the parent, which the partner's /embed.js uses to size the iframe.
"""

from __future__ import annotations

import html

import reflex as rx

from meetings_ui import routes

# The element whose height a framed page posts (the booking and confirmation pages mark
# their content with it); the whole document otherwise.
EMBED_ROOT = "data-embed-root"
HEIGHT_MESSAGE = "meetings:height"

FRAME_SCRIPT = """
(function () {
  function memoryStorage() {
    var items = new Map();
    return {
      getItem: function (k) { return items.has(String(k)) ? items.get(String(k)) : null; },
      setItem: function (k, v) { items.set(String(k), String(v)); },
      removeItem: function (k) { items.delete(String(k)); },
      clear: function () { items.clear(); },
      key: function (i) { var keys = Array.from(items.keys()); return keys[i] ?? null; },
      get length() { return items.size; }
    };
  }
  var replaced = [];
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try { window[name].getItem("meetings-probe"); } catch (error) {
      try {
        Object.defineProperty(window, name, { value: memoryStorage(), configurable: true });
        replaced.push(name);
      } catch (ignored) {}
    }
  });
  window.__meetingsMemoryStorage = replaced;
  if (window.parent === window || typeof ResizeObserver === "undefined") return;
  var sent = 0, watched = null;
  var resized = new ResizeObserver(post);
  function post() {
    var root = document.querySelector("[%(root)s]") || document.documentElement;
    if (root !== watched) {
      if (watched) resized.unobserve(watched);
      resized.observe(root);
      watched = root;
    }
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height > 0 && height !== sent) {
      sent = height;
      window.parent.postMessage({ type: "%(message)s", height: height }, "*");
    }
  }
  new MutationObserver(post).observe(document, { childList: true, subtree: true });
})();
""" % {"root": EMBED_ROOT, "message": HEIGHT_MESSAGE}  # noqa: UP031  (JS braces)


def frame_script() -> rx.Component:
    """FRAME_SCRIPT as the head's inline script: it runs before Reflex's modules load."""
    return rx.el.script(FRAME_SCRIPT)


def embed_codes(link_url: str) -> tuple[str, str]:
    """The one-line script snippet (it sizes the frame to its content) and the plain
    iframe, for a link's public URL: served from the link's own host, so a link on a
    custom domain embeds from that domain."""
    origin = link_url.split(routes.BOOKING_PREFIX + "/", 1)[0]
    url = html.escape(link_url, quote=True)
    script = (
        f'<script src="{html.escape(origin, quote=True)}{routes.EMBED_SCRIPT}" '
        f'data-meetings-link="{url}" async></script>'
    )
    frame = (
        f'<iframe src="{url}?embed=1" title="Book a meeting" loading="lazy" '
        'style="width:100%;min-height:720px;border:0"></iframe>'
    )
    return script, frame
