//! The scripts that hydrate a page: Leptos's `HydrationScripts`, without its
//! `<link>` hints for the bundle, which made a browser with JavaScript off fetch the wasm
//! (about 490 KB) for nothing. With JavaScript on, a one-line inline script adds the same
//! hints while the page's head is read, so hydration starts no later than before.

use leptos::{config::LeptosOptions, prelude::*};

/// The early fetches of the bundle's JavaScript and wasm, asked for from script (so only a
/// browser that runs it fetches them), and the module that hydrates.
#[component]
pub fn HydrationScripts(options: LeptosOptions) -> impl IntoView {
    let (js, wasm) = bundle_names(&options);
    let pkg = options.site_pkg_dir.to_string();
    let (js, wasm) = (format!("/{pkg}/{js}.js"), format!("/{pkg}/{wasm}.wasm"));
    let nonce = use_nonce();
    let preload = format!(
        "(function(){{function hint(rel,href,as,type){{var l=document.createElement('link');\
         l.rel=rel;l.href=href;l.crossOrigin='';if(as){{l.as=as;l.type=type}}\
         document.head.appendChild(l)}}hint('modulepreload',{js:?});\
         hint('preload',{wasm:?},'fetch','application/wasm')}})()"
    );
    let hydrate = format!(
        "import({js:?}).then(function(m){{m.default({{module_or_path:{wasm:?}}})\
         .then(function(){{m.hydrate()}})}})"
    );
    view! {
        <script nonce=nonce.clone()>{preload}</script>
        <script type="module" nonce=nonce>{hydrate}</script>
    }
}

/// The bundle's JavaScript and wasm file names, without extensions: with hashed names when
/// the build made them (from the hash file beside the server binary), as Leptos names them.
fn bundle_names(options: &LeptosOptions) -> (String, String) {
    let mut js = options.output_name.to_string();
    let mut wasm = js.clone();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        for (file, hash) in hashes.lines().filter_map(|line| line.split_once(':')) {
            match file.trim() {
                "js" => js.push_str(&format!(".{}", hash.trim())),
                "wasm" => wasm.push_str(&format!(".{}", hash.trim())),
                _ => {}
            }
        }
    } else if std::option_env!("LEPTOS_OUTPUT_NAME").is_none() {
        wasm.push_str("_bg");
    }
    (js, wasm)
}
