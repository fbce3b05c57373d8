// The HTML around the browser page's script (served by `tlsbio demo --browser` and by the Chromium test).

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>tlsbio: TLS in the browser over a WebSocket relay</title>
  <style>
    body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
    h1 { font-size: 1.3rem; }
    #status { font-weight: 600; margin: 1rem 0; }
    table { border-collapse: collapse; }
    th, td { text-align: left; vertical-align: top; padding: .3rem .8rem; border-bottom: 1px solid #d0d7de; font-family: ui-monospace, monospace; white-space: pre-wrap; }
    th { color: #57606a; font-weight: 500; }
  </style>
</head>
<body>
  <h1>tlsbio: TLS in the browser, over a WebSocket relay</h1>
  <p>This page speaks TLS itself (tlsbio core, portable provider) to a TCP server, through a relay that sees only ciphertext.</p>
  <div id="status">running…</div>
  <table id="result"></table>
  <script type="module" src="page.js"></script>
</body>
</html>
`;
