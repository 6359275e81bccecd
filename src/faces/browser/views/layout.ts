import { html, SafeHtml } from './html.ts';

// One small stylesheet, inline: the pages work without JavaScript or other requests.
// Colours meet WCAG AA contrast (4.5:1 for text); focus is always visible.
const styles = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f7;color:#1d2330;
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:min(26rem,92vw);background:#fff;border:1px solid #d5d9e0;border-radius:12px;padding:2rem;
  box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.4rem;margin:0 0 .25rem}
p.lead{margin:0 0 1.5rem;color:#4a5263}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input[type=email],input[type=text]{width:100%;padding:.6rem .75rem;border:1px solid #8a93a5;border-radius:8px;font:inherit}
fieldset{border:0;padding:0;margin:1rem 0 0}
legend{font-weight:600;margin-bottom:.35rem}
.choice{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.25rem 0}
button{width:100%;margin-top:1rem;padding:.65rem 1rem;border-radius:8px;border:1px solid #1d4ed8;background:#1d4ed8;
  color:#fff;font:inherit;font-weight:600;cursor:pointer}
button.secondary{background:#fff;color:#1d2330;border-color:#8a93a5}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.divider{display:flex;align-items:center;gap:.75rem;color:#4a5263;margin:1.5rem 0 .5rem}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid #d5d9e0}
.error{background:#fdecec;border:1px solid #b42318;color:#7a1a12;border-radius:8px;padding:.75rem;margin-bottom:1rem}
`;

export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Tessera</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body><main>${body}</main></body>
</html>`.value;
}
