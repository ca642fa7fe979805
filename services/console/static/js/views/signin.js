// Signing in: a token from the agency's identity provider, or in development a unit and a role.

import { call } from "../api.js";
import { h, replace } from "../dom.js";
import { codes, label, t } from "../i18n.js";

const EXAMPLE_UNITS = ["hotline-1300", "msdhs-10", "shelter-10", "prosecutor-10", "oversight-1"];

export async function signInView({ main, signedIn }) {
  const error = h("p.error", { "data-testid": "sign-in-error" });
  const attempt = async (path, body) => {
    error.textContent = "";
    try {
      await call(path, { method: "POST", body });
      await signedIn();
    } catch (problem) {
      error.textContent = problem.errors?.map((e) => e.message).join("; ") || problem.message;
    }
  };
  const token = h("textarea", { name: "token", rows: 3, autocomplete: "off" });
  const unit = h("input", { name: "unit", list: "units", value: "hotline-1300", "data-testid": "unit" });
  const role = h("select", { name: "role", "data-testid": "role" },
    codes("role").map((code) => h("option", { value: code }, label("role", code))));
  const development = h("form.card", {
    onsubmit: (event) => { event.preventDefault(); attempt("/session/development", { unit: unit.value.trim(), role: role.value }); },
  }, h("h2", {}, t("sign_in_development")),
    h("div.grid", {}, h("label", {}, t("unit"), unit), h("label", {}, t("role"), role)),
    h("datalist", { id: "units" }, EXAMPLE_UNITS.map((u) => h("option", { value: u }))),
    h("div.actions", {}, h("button", { type: "submit", "data-testid": "sign-in" }, t("sign_in"))));
  const withToken = h("form.card", {
    onsubmit: (event) => { event.preventDefault(); attempt("/session", { token: token.value.trim() }); },
  }, h("label", {}, t("sign_in_token"), token), h("div.actions", {}, h("button", { type: "submit" }, t("sign_in"))));
  const methods = await call("/session/methods").then(({ data }) => data, () => ({ development: false }));
  replace(main, h("h1", {}, t("sign_in")), error, withToken, methods.development ? development : null);
  (methods.development ? unit : token).focus();
}
