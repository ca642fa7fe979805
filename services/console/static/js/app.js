// The console: who is signed in, the menu their roles allow, the language switch, and the view the URL names.

import { call } from "./api.js";
import { h, replace } from "./dom.js";
import { currentLanguage, setLanguage, t, label, translatePage } from "./i18n.js";
import { signInView } from "./views/signin.js";
import { intakeView } from "./views/intake.js";
import { boardView } from "./views/board.js";
import { inboxView } from "./views/inbox.js";
import { caseView, findView } from "./views/case.js";
import { auditView } from "./views/audit.js";

const MENU = [
  { path: "#/intake", word: "nav_intake", needs: "intake.case.report" },
  { path: "#/board", word: "nav_board", needs: "intake.board.read" },
  { path: "#/inbox", word: "nav_inbox", needs: "referral.inbox.read" },
  { path: "#/cases", word: "nav_case", needs: "referral.case.read" },
  { path: "#/audit", word: "nav_audit", needs: "audit.history.read" },
];

const ROUTES = [
  [/^#\/intake$/, () => intakeView],
  [/^#\/board$/, () => boardView],
  [/^#\/inbox$/, () => inboxView],
  [/^#\/cases$/, () => findView("cases")],
  [/^#\/cases\/([^/]+)$/, (id) => (context) => caseView(context, decodeURIComponent(id))],
  [/^#\/audit$/, () => findView("audit")],
  [/^#\/audit\/([^/]+)$/, (id) => (context) => auditView(context, decodeURIComponent(id))],
];

let session = null;
let stopView = null;

async function loadSession() {
  try {
    session = (await call("/session")).data;
  } catch {
    session = null;
  }
}

function drawHeader() {
  const nav = document.getElementById("nav");
  const allowed = MENU.filter((item) => session?.actions.includes(item.needs));
  replace(nav, allowed.map((item) => h("a", { href: item.path, class: location.hash.startsWith(item.path) ? "here" : null,
    "data-testid": `nav-${item.path.slice(2)}` }, t(item.word))));
  document.getElementById("who").textContent = session
    ? `${session.unit_id} · ${session.roles.map((r) => label("role", r)).join(", ")}` : "";
  document.getElementById("sign-out").hidden = !session;
  document.getElementById("language").textContent = currentLanguage() === "th" ? "English" : "ไทย";
  translatePage(document.querySelector("header"));
}

function home() {
  return MENU.find((item) => session?.actions.includes(item.needs))?.path ?? "#/cases";
}

async function route() {
  if (stopView) stopView();
  stopView = null;
  const main = document.getElementById("view");
  if (!session) {
    drawHeader();
    signInView({ main, signedIn: async () => { await loadSession(); location.hash = home(); route(); } });
    return;
  }
  if (!location.hash || location.hash === "#/" || location.hash === "#/signin") {
    location.replace(home());
    return;
  }
  drawHeader();
  for (const [pattern, view] of ROUTES) {
    const match = location.hash.match(pattern);
    if (match) {
      replace(main);
      stopView = view(...match.slice(1))({ main, session }) ?? null;
      return;
    }
  }
  replace(main, h("p", {}, t("not_found")));
}

document.getElementById("language").addEventListener("click", () => {
  setLanguage(currentLanguage() === "th" ? "en" : "th");
  route();
});
document.getElementById("sign-out").addEventListener("click", async () => {
  await call("/session", { method: "DELETE" });
  session = null;
  location.hash = "#/signin";
  route();
});
window.addEventListener("saphan:signed-out", () => { session = null; route(); });
window.addEventListener("hashchange", route);

setLanguage(currentLanguage());
await loadSession();
route();
