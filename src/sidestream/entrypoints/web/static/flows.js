// The flows page: a Sankey diagram (ECharts) of the diagram chosen, drawn from the API answer
// the option names, with the same links as a table. Text from the data is set as text only:
// the tooltip renders as rich text on the canvas, not as HTML.
"use strict";

(function () {
  const element = document.getElementById("sankey");
  const select = document.getElementById("flow-choice");
  if (!element || !select || typeof echarts === "undefined") {
    return;
  }
  const data = element.dataset;
  const status = document.getElementById("flow-status");
  const tableBody = document.querySelector("#flow-table tbody");
  const language = document.documentElement.lang || "en";
  const numbers = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const chart = echarts.init(element, null, { renderer: "canvas" });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole
    );
  }

  function amount(value, unit) {
    return numbers.format(value) + " " + unit;
  }

  function showTable(answer, labels) {
    tableBody.replaceChildren();
    for (const link of answer.links) {
      const line = document.createElement("tr");
      const cells = [
        labels.get(link.source_node_id),
        labels.get(link.target_node_id),
        amount(link.quantity_per_yr, answer.unit),
      ];
      cells.forEach((text, index) => {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (index === 2) {
          cell.className = "number";
        }
        line.appendChild(cell);
      });
      tableBody.appendChild(line);
    }
  }

  function fitHeight(answer) {
    // Tall enough for the fullest column: the sources or the sinks.
    const sources = new Set(answer.links.map((link) => link.source_node_id));
    const targets = new Set(answer.links.map((link) => link.target_node_id));
    const firsts = answer.nodes.filter((node) => !targets.has(node.node_id)).length;
    const lasts = answer.nodes.filter((node) => !sources.has(node.node_id)).length;
    const height = Math.max(320, 26 * Math.max(firsts, lasts) + 40);
    element.style.height = height + "px";
    chart.resize();
    return sources;
  }

  function draw(answer) {
    const labels = new Map(answer.nodes.map((node) => [node.node_id, node.label]));
    const kinds = new Map(answer.nodes.map((node) => [node.node_id, node.kind]));
    chart.clear();
    const sources = fitHeight(answer);
    chart.setOption({
      animation: false, // drawn at once: a screenshot or a print shows the whole diagram
      aria: { enabled: true },
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: (item) => {
          if (item.dataType === "edge") {
            return (
              labels.get(item.data.source) + " → " + labels.get(item.data.target) + ": " +
              amount(item.data.value, answer.unit)
            );
          }
          return labels.get(item.name) + ": " + amount(item.value, answer.unit);
        },
      },
      series: [
        {
          type: "sankey",
          left: 8,
          right: 8,
          top: 12,
          bottom: 12,
          nodeGap: 10,
          draggable: false,
          emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
          label: {
            formatter: (item) => labels.get(item.name),
            width: 320,
            overflow: "truncate",
          },
          // The last column's labels go to the left of their nodes, inside the chart.
          data: answer.nodes.map((node) => ({
            name: node.node_id,
            label: sources.has(node.node_id) ? {} : { position: "left" },
          })),
          links: answer.links.map((link) => ({
            source: link.source_node_id,
            target: link.target_node_id,
            value: link.quantity_per_yr,
          })),
        },
      ],
    });
    element.dataset.nodeCount = String(answer.nodes.length);
    element.dataset.linkCount = String(answer.links.length);
    element.dataset.kinds = Array.from(new Set(kinds.values())).sort().join(" ");
    showTable(answer, labels);
    let text = answer.links.length
      ? fill(data.textTotal, { total: numbers.format(answer.total_per_yr), unit: answer.unit })
      : data.textEmpty;
    if (answer.plan && answer.plan.status !== "optimal") {
      text += " " + fill(data.textPlan, { status: answer.plan.status, message: answer.message });
    }
    status.textContent = text;
  }

  function load() {
    element.dataset.ready = "false";
    fetch(select.value, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) {
          throw new Error(select.value + ": HTTP " + response.status);
        }
        return response.json();
      })
      .then((answer) => {
        drawn = false;
        draw(answer);
      })
      .catch((error) => {
        chart.clear();
        tableBody.replaceChildren();
        status.textContent = data.textFailed;
        element.dataset.error = String(error);
      });
  }

  // Ready once ECharts has finished drawing the diagram.
  let drawn = true;
  chart.on("finished", () => {
    if (!drawn) {
      drawn = true;
      element.dataset.ready = "true";
    }
  });
  select.addEventListener("change", load);
  select.form.addEventListener("submit", (event) => event.preventDefault());
  window.addEventListener("resize", () => chart.resize());
  load();
})();
