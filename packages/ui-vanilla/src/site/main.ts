/** The static site's entry: the whole page is the dashboard, connecting to this origin by default. */
import "../styles.css";
import { mount } from "../index.js";

const root = document.getElementById("app");
if (root) {
  document.documentElement.classList.add("dd-site");
  mount(root, {}, { pageTitle: true });
}
