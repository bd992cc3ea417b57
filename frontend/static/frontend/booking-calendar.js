// Pick a booking range on the instrument's week calendar (bookings/_week.html).
//
// Click or tap a free slot to pick it; a later free slot on the same day extends the
// range. With a mouse or pen, press on a free slot and drag along the day to pick the
// contiguous free range, highlighted while dragging. Touch keeps tap / tap-to-extend so
// that a finger on the calendar still scrolls the page.
//
// Listeners sit on the document because htmx swaps the grid when the week changes.
// Slots are compared by their ISO datetime strings: the days share one offset, so
// string order is time order.
(function () {
  "use strict";
  const startIn = document.getElementById("id_start");
  const endIn = document.getElementById("id_end");
  let first = null; // the last slot clicked alone, which a later click may extend
  let drag = null; // {anchor, pointerId, moved, start, end} while a mouse/pen is down
  let swallowClick = false; // the click that ends a drag is not a new pick

  // Each slot appears twice (grid and phone list), so a day's slots are keyed by time.
  function links(day) {
    const next = new Map(), prev = new Map();
    document.querySelectorAll('[data-slot][data-day="' + day + '"]').forEach((el) => {
      next.set(el.dataset.start, el.dataset.end);
      prev.set(el.dataset.end, el.dataset.start);
    });
    return { next, prev };
  }

  function mark(day, start, end) {
    document.querySelectorAll("[data-slot].selected").forEach((el) => el.classList.remove("selected"));
    document.querySelectorAll('[data-slot][data-day="' + day + '"]').forEach((el) => {
      if (el.dataset.start >= start && el.dataset.end <= end) el.classList.add("selected");
    });
  }

  function pick(day, start, end) {
    startIn.value = start;
    endIn.value = end;
    mark(day, start, end);
    const confirm = document.getElementById("confirm");
    if (confirm) confirm.disabled = false;
    document.body.dispatchEvent(new Event("picked")); // the htmx quote listens for this
  }

  // From the anchor slot towards the target cell, as far as the free slots run unbroken:
  // a taken or closed slot ends the range where the free time ends.
  function reach(anchor, target) {
    const { next, prev } = links(anchor.dataset.day);
    let start = anchor.dataset.start, end = anchor.dataset.end;
    while (end < target.dataset.end && next.has(end)) end = next.get(end);
    while (start > target.dataset.start && prev.has(start)) start = prev.get(start);
    return { start, end };
  }

  document.addEventListener("click", function (ev) {
    if (swallowClick) { swallowClick = false; return; }
    const el = ev.target.closest("[data-slot]");
    if (!el) return;
    ev.preventDefault();
    const { next } = links(el.dataset.day);
    let start = el.dataset.start;
    if (first && first.day === el.dataset.day && el.dataset.start > first.start) {
      let cursor = first.end; // extend only over unbroken free time
      while (cursor < el.dataset.end && next.has(cursor)) cursor = next.get(cursor);
      if (cursor === el.dataset.end) start = first.start;
    }
    first = start === el.dataset.start ? { day: el.dataset.day, start, end: el.dataset.end } : null;
    pick(el.dataset.day, start, el.dataset.end);
  });

  document.addEventListener("pointerdown", function (ev) {
    swallowClick = false;
    if (ev.pointerType === "touch" || ev.button !== 0) return;
    const anchor = ev.target.closest("[data-slot]");
    if (!anchor) return;
    // Capture keeps the release coming to us even outside the window; the cell under
    // the pointer is then found with elementFromPoint.
    anchor.setPointerCapture(ev.pointerId);
    drag = { anchor, pointerId: ev.pointerId, moved: false, start: anchor.dataset.start, end: anchor.dataset.end };
  });

  document.addEventListener("pointermove", function (ev) {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    const hit = document.elementFromPoint(ev.clientX, ev.clientY);
    const cell = hit && hit.closest("[data-day][data-start]");
    // Another day, or a gap between cells: keep the range as it was.
    if (!cell || cell.dataset.day !== drag.anchor.dataset.day) return;
    if (!drag.moved && cell.dataset.start === drag.anchor.dataset.start) return; // still a click
    drag.moved = true;
    Object.assign(drag, reach(drag.anchor, cell));
    mark(drag.anchor.dataset.day, drag.start, drag.end);
  });

  document.addEventListener("pointerup", function (ev) {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    const done = drag;
    drag = null;
    if (!done.moved) return; // a plain click: the click handler picks
    first = null;
    swallowClick = true;
    setTimeout(() => { swallowClick = false; }, 0); // in case no click follows
    pick(done.anchor.dataset.day, done.start, done.end);
  });

  document.addEventListener("pointercancel", function (ev) {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    drag = null;
    if (startIn.value) mark(startIn.value.slice(0, 10), startIn.value, endIn.value);
    else mark("", "", "");
  });
})();
