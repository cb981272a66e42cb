/* Meetings: the booking widget for a partner's site, in one line.
 *
 *   <script src="https://meet.example.com/embed.js"
 *           data-meetings-link="https://meet.example.com/meetings/intro" async></script>
 *
 * Inserts the booking page (?embed=1) in an iframe where the script tag stands (at the end
 * of the body when it was pasted in the head), and keeps
 * the iframe as tall as its content: the page posts its height ({type: "meetings:height"})
 * and only messages from that iframe, on the link's own origin, are heeded.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.parentNode) return;
  var link = new URL(script.getAttribute("data-meetings-link") || "", script.src);
  link.searchParams.set("embed", "1");
  var frame = document.createElement("iframe");
  frame.src = link.href;
  frame.title = script.getAttribute("data-title") || "Book a meeting";
  frame.style.cssText = "display:block;width:100%;height:720px;border:0;overflow:hidden";
  if (script.parentNode === document.head) {
    // Pasted in the head: the frame goes at the end of the body, once there is one.
    var place = function () { document.body.appendChild(frame); };
    if (document.body) place();
    else document.addEventListener("DOMContentLoaded", place);
  } else {
    script.parentNode.insertBefore(frame, script);
  }
  window.addEventListener("message", function (event) {
    if (event.origin !== link.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "meetings:height") return;
    var height = Math.ceil(Number(data.height));
    if (height > 0 && height < 100000) frame.style.height = height + "px";
  });
})();
