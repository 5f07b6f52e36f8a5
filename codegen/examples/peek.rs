fn main() {
    let dir = std::env::args().nth(1).unwrap_or_default();
    match vapi_codegen::load::load_dir(std::path::Path::new(&dir)) {
        Ok((model, _)) => {
            let modules = vapi_codegen::emit::emit(&model, &[]);
            match vapi_codegen::render::render_single(&modules, "// header") {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("{e}"),
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
