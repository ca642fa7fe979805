// The location pickers: province, district and tambon as dependent <select>s, filled from intake's list of areas
// (GET /geography/...) through the gateway and named in the page's language. The list never changes while the page
// is open, so each part of it is asked for once.

import { api } from "./api.js";
import { h, replace, toast } from "./dom.js";
import { currentLanguage, t } from "./i18n.js";

const asked = new Map();

function load(path, key) {
  if (!asked.has(path)) {
    asked.set(path, api("intake", path).then(({ data }) => data[key], (problem) => {
      asked.delete(path);  // ask again next time
      throw problem;
    }));
  }
  return asked.get(path);
}

const nameOf = (place) => (currentLanguage() === "th" ? place.name_th : place.name_en);

function fill(select, places) {
  const order = new Intl.Collator(currentLanguage() === "th" ? "th" : "en");
  const sorted = [...places].sort((a, b) => order.compare(nameOf(a), nameOf(b)));
  replace(select, h("option", { value: "" }, t("choose")), sorted.map((p) => h("option", { value: p.code }, nameOf(p))));
  select.disabled = false;
}

function empty(select, word = "choose") {
  replace(select, h("option", { value: "" }, t(word)));
  select.disabled = true;
}

// Return the three <select>s (province, district, subdistrict) wired to each other, and `clear` to start again.
export function locationPickers() {
  const [province, district, subdistrict] = [0, 1, 2].map(() => h("select"));
  const below = async (parent, child, path, key) => {
    const code = parent.value;
    if (child === district) empty(subdistrict);
    if (!code) return empty(child);
    empty(child, "loading");
    try {
      const places = await load(path(code), key);
      if (parent.value === code) fill(child, places);  // not if the operator moved on meanwhile
    } catch (problem) {
      empty(child);
      toast(problem.message);
    }
  };
  province.addEventListener("change", () => below(province, district, (c) => `/geography/provinces/${c}/districts`, "districts"));
  district.addEventListener("change", () => below(district, subdistrict, (c) => `/geography/districts/${c}/subdistricts`, "subdistricts"));
  const clear = () => {
    province.value = "";
    empty(district);
    empty(subdistrict);
  };
  empty(province, "loading");
  empty(district);
  empty(subdistrict);
  load("/geography/provinces", "provinces").then((places) => fill(province, places), (problem) => {
    empty(province);
    toast(problem.message);
  });
  return { province, district, subdistrict, clear };
}
