# fish completion for gpusize: commands, options, -o formats, --solve variables, GPU and model ids
# (from `gpusize gpus -o csv` / `gpusize models -o csv`), and files for specs and catalogs.
# Installed to share/fish/vendor_completions.d/gpusize.fish.

function __gpusize_ids --argument-names what
    gpusize $what -o csv 2>/dev/null | tail -n +2 | string split -f1 ,
end

set -l commands plan check explain gpus models
set -l spec_commands plan check explain

complete -c gpusize -f
complete -c gpusize -n "not __fish_seen_subcommand_from $commands" -l version -d 'print the version'
complete -c gpusize -s h -l help -d 'show help'
complete -c gpusize -n "not __fish_seen_subcommand_from $commands" -a plan -d 'rank the GPU deployments that fit a workload spec'
complete -c gpusize -n "not __fish_seen_subcommand_from $commands" -a check -d 'evaluate one deployment; the exit code says whether it fits'
complete -c gpusize -n "not __fish_seen_subcommand_from $commands" -a explain -d 'show every term of the estimate'
complete -c gpusize -n "not __fish_seen_subcommand_from $commands" -a gpus -d 'list the GPU catalog, or show one entry'
complete -c gpusize -n "not __fish_seen_subcommand_from $commands" -a models -d 'list the bundled model presets, or show one'

# Every command
complete -c gpusize -n "__fish_seen_subcommand_from $commands" -s o -l output -x -a 'table json yaml markdown csv' -d 'output format'
complete -c gpusize -n "__fish_seen_subcommand_from plan check" -s o -l output -x -a 'html' -d 'output format'
complete -c gpusize -n "__fish_seen_subcommand_from $commands" -l catalog -r -F -d 'overlay a GPU catalog file'

# The spec: a file (or - for standard input)
complete -c gpusize -n "__fish_seen_subcommand_from $spec_commands" -F
complete -c gpusize -n "__fish_seen_subcommand_from $spec_commands" -l set -x -d 'set a spec key, KEY=VALUE'
complete -c gpusize -n "__fish_seen_subcommand_from check explain" -l gpu -x -a '(__gpusize_ids gpus)' -d 'catalog id or alias'
complete -c gpusize -n "__fish_seen_subcommand_from check explain" -l count -x -d 'number of GPUs'
complete -c gpusize -n "__fish_seen_subcommand_from check explain" -l tp -x -d 'tensor parallel degree'
complete -c gpusize -n "__fish_seen_subcommand_from check explain" -l pp -x -d 'pipeline parallel degree'
complete -c gpusize -n "__fish_seen_subcommand_from check explain" -l dp -x -d 'data parallel degree (replicas)'

# plan
complete -c gpusize -n "__fish_seen_subcommand_from plan" -l top -x -d 'show the best N candidates'
complete -c gpusize -n "__fish_seen_subcommand_from plan check" -l verbose -d 'list every rejected option and assumption'

complete -c gpusize -n "__fish_seen_subcommand_from plan check" -l baseline -r -F -d 'compare with an earlier -o json'

# check
complete -c gpusize -n "__fish_seen_subcommand_from check" -l solve -x -a 'context concurrency gpus rate' -d 'solve a free variable with the GPU fixed'
complete -c gpusize -n "__fish_seen_subcommand_from check" -l require -x -a 'usd_per_hour gpu_count memory_headroom headroom usd_per_million_output_tokens usd_per_million_input_tokens ttft_ms tpot_ms output_tokens_per_s requests_per_s usd_per_million_training_tokens usd_total tokens_per_s mfu time_to_train_days' -d 'a condition FIELD OP VALUE'

# gpus and models
complete -c gpusize -n "__fish_seen_subcommand_from gpus" -a '(__gpusize_ids gpus)'
complete -c gpusize -n "__fish_seen_subcommand_from gpus" -l vendor -x -a 'nvidia amd intel google aws furiosa rebellions tenstorrent' -d 'only this vendor'
complete -c gpusize -n "__fish_seen_subcommand_from gpus" -l min-memory -x -d 'only GPUs with at least this memory (80GB)'
complete -c gpusize -n "__fish_seen_subcommand_from gpus" -l stale -x -d 'list the price rows dated more than DAYS days ago'
complete -c gpusize -n "__fish_seen_subcommand_from gpus" -l today -x -d 'the date --stale counts from (YYYY-MM-DD)'
complete -c gpusize -n "__fish_seen_subcommand_from models" -a '(__gpusize_ids models)'
