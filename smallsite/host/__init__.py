"""Hosting: what a host must do to serve the site as it was designed (plan.py), written in each host's
own language: `_headers` and `_redirects` for Netlify and Cloudflare Pages (rules_files.py, which the
build writes into the output folder), a `server { }` block for nginx (nginx.py), a GitHub Pages workflow
(github_pages.py). `python build.py host ...` prints them (commands.py). See docs/deploy.md."""
