"""The seed post's Flask app: Flask-Talisman with the post's CSP and
content_security_policy_nonce_in, Flask-SeaSurf on the login form. Used by
bench/run.sh as the reference point of the end-to-end load test.

force_https=False (and no secure session cookie) so that it can be driven over
plain http on 127.0.0.1 like the axum apps; everything else is as in the post.
"""
import html
import os

from flask import Flask, render_template, request
from flask_seasurf import SeaSurf
from flask_talisman import Talisman

# Templates and static files: copies of the axum seed app's, made by bench/run.sh
# (csrf_token/nonce variables turned into SeaSurf/Talisman calls).
app = Flask(
    __name__,
    template_folder=os.environ["SEED_FLASK_DIR"] + "/templates",
    static_folder=os.environ["SEED_FLASK_DIR"] + "/static",
)
app.secret_key = "bench-secret-key-not-for-production"

csp = {
    "base-uri": [" 'self'"],
    "default-src": [" 'self'", "*.fontawesome.com", "*.herokuapp.com", "*.jsdelivr.net"],
    "img-src": "*",
    "script-src": [" 'self'", "*.fontawesome.com", "*.herokuapp.com", "*.jquery.com", "*.jsdelivr.net"],
    "script-src-elem": [" 'self'", "*.fontawesome.com", "*.herokuapp.com", "*.jquery.com", "*.jsdelivr.net"],
}
Talisman(
    app,
    content_security_policy=csp,
    content_security_policy_nonce_in=["script-src", "script-src-elem"],
    force_https=False,
    session_cookie_secure=False,
)
csrf = SeaSurf(app)


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        name = html.escape(request.form.get("username", ""))
        return f'<!doctype html><title>Welcome</title><p id="welcome">welcome {name}</p>'
    return render_template("login.html")


@app.route("/health")
def health():
    return "ok"
