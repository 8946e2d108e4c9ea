// confkg explorer page: loads example queries into the editor, runs them against /sparql, renders the results table.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("confkg-config").textContent);
  const statusEl = document.getElementById("status");
  const resultsEl = document.getElementById("results");
  const runButton = document.getElementById("run");
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  // Datatypes that go without saying next to their value.
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const PLAIN_TYPES = new Set(["string", "integer", "decimal", "double", "boolean"].map((t) => XSD + t));

  const initial = new URLSearchParams(location.search).get("query")
    || (config.examples[0] && config.examples[0].text) || "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  const editor = window.ConfkgEditor.create(document.getElementById("editor"), initial, run);

  // Prefixed form of an IRI for display; confkg's own IRIs lose their base.
  const prefixes = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);
  function shorten(iri) {
    for (const [p, ns] of prefixes) {
      if (p !== "id" && iri.startsWith(ns)) return p + ":" + iri.slice(ns.length);
    }
    if (iri.startsWith(config.idBase)) return iri.slice(config.idBase.length);
    return iri;
  }
  function href(iri) {
    return iri.startsWith(config.idBase) ? "/id/" + iri.slice(config.idBase.length) : iri;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function cell(term) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const local = term.value.startsWith(config.idBase);
      const a = el("a", { href: href(term.value), title: term.value, class: "iri" }, shorten(term.value));
      if (!local) { a.setAttribute("rel", "noopener noreferrer"); }
      td.appendChild(a);
    } else if (term.type === "literal") {
      const lang = term["xml:lang"];
      if (lang && lang.startsWith("ar")) td.setAttribute("dir", "rtl");  // Arabic cells read from the right
      const span = el("span", { lang: lang || null, dir: lang && lang.startsWith("ar") ? "rtl" : "auto" }, term.value);
      td.appendChild(span);
      if (term.datatype && !PLAIN_TYPES.has(term.datatype)) {
        td.appendChild(document.createTextNode(" "));
        td.appendChild(el("small", { class: "datatype" }, shorten(term.datatype)));
      }
    } else {
      td.appendChild(el("code", {}, "_:" + term.value));
    }
    return td;
  }

  function renderTable(data) {
    const vars = data.head.vars || [];
    const table = el("table", { class: "results-table" });
    const head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "#"));
    for (const v of vars) head.appendChild(el("th", { scope: "col" }, "?" + v));
    table.appendChild(el("thead")).appendChild(head);
    const body = el("tbody");
    data.results.bindings.forEach((row, i) => {
      const tr = el("tr");
      tr.appendChild(el("td", { class: "num" }, String(i + 1)));
      for (const v of vars) tr.appendChild(cell(row[v]));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("error", Boolean(isError));
  }

  async function post(query, accept) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query }),
    });
  }

  async function run() {
    const query = editor.getValue();
    runButton.disabled = true;
    setStatus("Running…");
    resultsEl.replaceChildren();
    const started = performance.now();
    try {
      const response = await post(query, ACCEPT);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        const message = await response.text();
        setStatus(`Error ${response.status} after ${seconds} s`, true);
        resultsEl.appendChild(el("div", { class: "error-box", role: "alert" }, message));
        return;
      }
      const truncated = response.headers.get("X-Confkg-Truncated") === "true";
      const cap = truncated ? ` (cut at the limit of ${config.maxRows})` : "";
      if (type.startsWith("application/sparql-results+json")) {
        const data = await response.json();
        if (typeof data.boolean === "boolean") {
          setStatus(`ASK answered in ${seconds} s`);
          resultsEl.appendChild(el("p", { class: "boolean" }, data.boolean ? "true" : "false"));
        } else {
          const n = data.results.bindings.length;
          setStatus(`${n} row${n === 1 ? "" : "s"} in ${seconds} s${cap}`);
          resultsEl.appendChild(renderTable(data));
        }
      } else {
        const text = await response.text();
        const n = response.headers.get("X-Confkg-Rows") || "?";
        setStatus(`${n} triples in ${seconds} s${cap}`);
        resultsEl.appendChild(el("pre", {}, text));
      }
    } catch (err) {
      setStatus("The server could not be reached: " + err, true);
    } finally {
      runButton.disabled = false;
    }
  }

  async function download() {
    const accept = document.getElementById("download-format").value;
    const response = await post(editor.getValue(), accept);
    if (!response.ok) {
      setStatus(`Download failed (${response.status}): ${await response.text()}`, true);
      return;
    }
    const ext = { "text/csv": "csv", "text/tab-separated-values": "tsv", "application/sparql-results+json": "srj",
      "application/sparql-results+xml": "srx", "text/turtle": "ttl", "application/ld+json": "jsonld" }[accept];
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: "results." + ext });
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  for (const button of document.querySelectorAll("button.example")) {
    button.addEventListener("click", () => {
      const example = config.examples.find((e) => e.name === button.dataset.name);
      if (!example) return;
      for (const other of document.querySelectorAll("button.example")) other.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      editor.setValue(example.text);
      run();
    });
  }
  runButton.addEventListener("click", run);
  document.getElementById("download").addEventListener("click", download);
})();
