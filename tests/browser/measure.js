// What the responsive test measures on a page, read in the browser: the document's width
// against the window's, what sticks out on the right, and the interactive elements whose
// box is smaller than WCAG 2.2's minimum target (2.5.8: 24 × 24 CSS pixels).
([minimum, screenWidth]) => {
  // On a phone, innerWidth grows with a page too wide (the browser zooms out to show it
  // all): the screen's width is what the page must fit.
  const width = screenWidth;
  const describe = (el) => {
    const box = el.getBoundingClientRect();
    const name = (el.getAttribute("aria-label") || el.textContent || el.value || el.name || "").trim().slice(0, 40);
    const id = el.id ? `#${el.id}` : "";
    const classes = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
    return `${el.tagName.toLowerCase()}${id}${classes} "${name}" ${Math.round(box.width)}×${Math.round(box.height)} at x=${Math.round(box.left)}`;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const sticksOut = [...document.body.querySelectorAll("*")].filter((el) => {
    if (!shown(el)) return false;
    // Inside a box that scrolls on its own, the document does not grow.
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX)) return false;
    }
    return el.getBoundingClientRect().right > width + 0.5;
  });
  const interactive = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
  // A 1 px box is visually hidden on purpose (a widget shows its own control): no target.
  const target = (el) => {
    const box = el.getBoundingClientRect();
    return shown(el) && box.width > 1 && box.height > 1;
  };
  const targets = [...document.querySelectorAll(interactive)].filter(target);
  const tooSmall = targets.filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width < minimum - 0.01 || box.height < minimum - 0.01;
  });
  return {
    screenWidth: width,
    innerWidth: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    sticksOut: sticksOut.slice(0, 8).map(describe),
    targets: targets.length,
    smallest: Math.min(...targets.map((el) => {
      const box = el.getBoundingClientRect();
      return Math.min(box.width, box.height);
    })),
    tooSmall: tooSmall.map(describe),
  };
}
