// Today's cases by urgency, live: intake pushes the board (no personal data) whenever a case comes in or changes.

import { follow } from "../api.js";
import { h, replace } from "../dom.js";
import { label, t, when } from "../i18n.js";

const URGENCIES = ["crisis", "urgent", "normal"];

function card(item) {
  const area = [item.subdistrict_name_th ?? item.subdistrict_code, item.district_name_th ?? item.district_code,
    item.province_name_th ?? item.province_code].filter(Boolean).join(" · ");
  return h("a.card.plain", { href: `#/cases/${item.case_id}`, "data-testid": `board-${item.case_id}` },
    h("div.row", {}, h("strong", {}, item.case_id), h("span.muted", {}, when(item.received_at))),
    h("div", {}, (item.problem_types ?? []).map((p) => label("problem", p)).join(", ")),
    item.triage_reason ? h("div.hint", {}, item.triage_reason) : null,
    item.possible_duplicate ? h("div.bad", {}, t("possible_duplicate")) : null,
    h("div.muted", {}, label("channel", item.channel), area ? ` · ${area}` : "",
      item.status === "closed_at_intake" ? ` · ${label("case_status", item.status)}` : ""));
}

export function boardView({ main }) {
  const live = h("span.pill", { "data-testid": "live-state" }, "…");
  const columns = h("div.columns");
  const closed = h("div");
  replace(main, h("div.row", {}, h("h1", {}, t("board_title")), live), columns, closed);
  const draw = (board) => {
    const items = board.items ?? [];
    replace(columns, URGENCIES.map((urgency) => {
      const mine = items.filter((item) => item.urgency === urgency && item.status !== "closed_at_intake");
      return h(`div.column.${urgency}`, { "data-testid": `column-${urgency}` },
        h("h2", {}, `${label("urgency", urgency)} (${mine.length})`),
        mine.length ? mine.map(card) : h("p.muted", {}, t("nothing")));
    }));
    const done = items.filter((item) => item.status === "closed_at_intake");
    replace(closed, done.length ? [h("h2", {}, `${label("case_status", "closed_at_intake")} (${done.length})`), done.map(card)] : []);
  };
  return follow("intake", "/board/stream", "board", draw, (state) => { live.textContent = t(state); });
}
