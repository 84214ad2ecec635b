-- wrk script: POST /login with a valid CSRF cookie + token obtained beforehand
-- (bench/run.sh passes them in the environment).
wrk.method = "POST"
wrk.path = "/login"
wrk.body = os.getenv("LOGIN_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("LOGIN_COOKIE")
wrk.headers["Sec-Fetch-Site"] = "same-origin"
wrk.headers["Origin"] = os.getenv("LOGIN_ORIGIN")
