// Charts of the tracker pages, drawn with Apache ECharts from data the server put in the page.
//
// Every chart is a <div data-chart="KIND" data-source="ID"> whose numbers sit in
// <script type="application/json" id="ID"> (Django's json_script), the same numbers as
// the table printed beside it for screen readers and for export. Nothing is fetched
// but the map's boundaries, so a chart never shows other figures than its table.
// Filters live in the URL: clicking a city on the map follows the link the server
// gave that city, and the page comes back drilled into its counties.
(function () {
  "use strict";
  const PALETTE = ["#0b5c8e", "#e07b39", "#3a9d6e", "#8e5ba6", "#c9a227", "#5a7d9a"];
  const charts = [];

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function narrow(el) {
    return el.clientWidth < 480;
  }

  function gauge(el, d) {
    return {
      series: [{
        type: "gauge",
        min: 0,
        max: 100,
        radius: "95%",
        center: ["50%", "58%"],
        startAngle: 200,
        endAngle: -20,
        progress: { show: true, width: 14, itemStyle: { color: PALETTE[0] } },
        axisLine: { lineStyle: { width: 14 } },
        splitNumber: 5,
        axisTick: { show: false },
        splitLine: { length: 6, lineStyle: { width: 1, color: "#999" } },
        axisLabel: { distance: 18, fontSize: 10, color: "#666" },
        pointer: { show: false },
        anchor: { show: false },
        title: { show: true, offsetCenter: [0, "32%"], fontSize: 12, color: "#666" },
        detail: {
          valueAnimation: false,
          offsetCenter: [0, "0%"],
          fontSize: 24,
          fontWeight: 600,
          formatter: (v) => v.toFixed(1) + "%",
          color: "#222",
        },
        data: [{ value: Math.min(d.percent, 100), name: d.label }],
      }, {
        // The share of the period already gone, as a thin marker ring.
        type: "gauge",
        min: 0,
        max: 100,
        radius: "72%",
        center: ["50%", "58%"],
        startAngle: 200,
        endAngle: -20,
        progress: { show: true, width: 4, itemStyle: { color: "#adb5bd" } },
        axisLine: { lineStyle: { width: 4, color: [[1, "#f1f3f5"]] } },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        title: { show: false },
        detail: { show: false },
        data: [{ value: Math.min(d.elapsed_percent, 100), name: d.elapsed_label }],
      }],
      tooltip: { formatter: (p) => p.name + ": " + p.value.toFixed(1) + "%" },
    };
  }

  function cumulative(el, d) {
    return {
      color: [PALETTE[0], "#adb5bd", PALETTE[1]],
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, data: d.series.map((s) => s.name) },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.labels, boundaryGap: false },
      yAxis: { type: "value", axisLabel: { formatter: (v) => v.toLocaleString() } },
      series: d.series.map((s) => ({
        name: s.name,
        type: "line",
        data: s.values,
        showSymbol: false,
        connectNulls: false,
        lineStyle: s.style === "dashed" ? { type: "dashed" } : undefined,
        areaStyle: s.style === "area" ? { opacity: 0.15 } : undefined,
      })),
    };
  }

  function trend(el, d) {
    return {
      color: PALETTE,
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value" },
      series: d.series.map((s) => ({
        name: s.name, type: "bar", stack: "kind", data: s.values, barMaxWidth: 48,
      })),
    };
  }

  function bars(el, d) {
    // Horizontal bars read best on a phone: long Chinese names get their own line width.
    const labels = d.labels.slice().reverse();
    const values = d.values.slice().reverse();
    const width = narrow(el) ? 96 : 180;
    return {
      color: [PALETTE[0]],
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category",
        data: labels,
        axisLabel: { width: width, overflow: "truncate" },
      },
      series: [{
        name: d.name,
        type: "bar",
        data: values,
        barMaxWidth: 28,
        label: { show: true, position: "right", fontSize: 11 },
      }],
    };
  }

  function pie(el, d) {
    return {
      color: PALETTE,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [{
        name: d.name,
        type: "pie",
        radius: ["40%", "68%"],
        center: ["50%", "45%"],
        label: { formatter: "{d}%" },
        data: d.labels.map((name, i) => ({ name: name, value: d.values[i] })),
      }],
    };
  }

  async function map(el, d) {
    const response = await fetch(d.geojson_url, { credentials: "same-origin" });
    if (!response.ok) throw new Error("map " + response.status);
    echarts.registerMap(d.map_name, await response.json());
    const values = d.regions.map((r) => r.value);
    const byCode = Object.fromEntries(d.regions.map((r) => [r.code, r]));
    const chart = el._chart;
    chart.on("click", (params) => {
      const region = byCode[params.name];
      if (region && region.url) window.location.assign(region.url);
    });
    return {
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const r = byCode[p.name];
          return r ? r.label + ": " + r.value.toLocaleString() : p.name;
        },
      },
      visualMap: {
        min: 0,
        max: Math.max(1, ...values),
        calculable: false,
        orient: narrow(el) ? "horizontal" : "vertical",
        left: narrow(el) ? "center" : 8,
        bottom: 8,
        itemWidth: 12,
        itemHeight: narrow(el) ? 90 : 120,
        text: [d.high_label, d.low_label],
        inRange: { color: ["#e8f1f8", "#0b5c8e"] },
      },
      series: [{
        name: d.name,
        type: "map",
        map: d.map_name,
        roam: false,
        selectedMode: false,
        layoutCenter: ["50%", "46%"],
        layoutSize: narrow(el) ? "92%" : "96%",
        label: {
          show: true,
          fontSize: narrow(el) ? 9 : 11,
          formatter: (p) => (byCode[p.name] ? byCode[p.name].short : ""),
        },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#f0b37e" } },
        data: d.regions.map((r) => ({ name: r.code, value: r.value })),
      }],
    };
  }

  const KINDS = { gauge, cumulative, trend, bars, pie, map };

  async function draw(el) {
    const kind = KINDS[el.dataset.chart];
    const data = readJson(el.dataset.source);
    if (!kind || !data) return;
    el._chart = echarts.init(el, null, { renderer: "canvas" });
    charts.push(el._chart);
    try {
      el._chart.setOption(await kind(el, data));
      el.dataset.rendered = "1";
    } catch (error) {
      // The table beside the chart still has every figure; say why the picture is missing.
      el._chart.dispose();
      el.classList.add("chart-failed");
      el.textContent = el.dataset.failed || String(error);
    }
  }

  function init() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(draw);
    const resize = () => charts.forEach((c) => c.isDisposed() || c.resize());
    if ("ResizeObserver" in window) {
      const observer = new ResizeObserver(resize);
      document.querySelectorAll("[data-chart]").forEach((el) => observer.observe(el));
    } else {
      window.addEventListener("resize", resize);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
