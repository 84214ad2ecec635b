//! Helpers shared by the actix-web integration tests.
#![allow(dead_code)]

use actix_web::test::TestRequest;

pub fn header(
    res: &actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
    name: &str,
) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

pub fn local(req: TestRequest) -> TestRequest {
    req.insert_header(("host", "localhost:8000"))
        .peer_addr("127.0.0.1:5000".parse().unwrap())
}
