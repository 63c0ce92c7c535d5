(() => {
  if (window.__collapseSidebarAfterChange) return;
  window.__collapseSidebarAfterChange = true;
  const SIDEBAR = '[data-testid="stSidebar"]';
  let before = null, until = 0, timer = null;
  const collapse = () => {
    const sidebar = document.querySelector(SIDEBAR);
    const main = document.querySelector('[data-testid="stMain"]');
    if (!sidebar || !main || sidebar.getAttribute("data-collapsed") === "true") return;
    if (main.getBoundingClientRect().left >= sidebar.offsetWidth / 2) return;  // beside the page: it hides nothing
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button) button.click();
  };
  const check = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (before === null || Date.now() > until) {
      clearInterval(timer);
      timer = null;
      before = null;
    } else if (location.href !== before && app && app.getAttribute("data-test-script-state") === "notRunning") {
      before = null;
      collapse();
    }
  };
  const arm = (e) => {
    if (!(e.target.closest && e.target.closest(SIDEBAR + ', [data-baseweb="popover"]'))) {
      before = null;
      return;
    }
    before = location.href;
    until = Date.now() + 15000;
    if (timer === null) timer = setInterval(check, 150);
  };
  document.addEventListener("pointerdown", arm, true);
  document.addEventListener("keydown", arm, true);
})();
