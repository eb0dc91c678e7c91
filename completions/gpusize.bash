# bash completion for gpusize: commands, options, -o formats, --solve variables, GPU and model ids
# (from `gpusize gpus -o csv` / `gpusize models -o csv`), and files for specs and catalogs.
# Installed to share/bash-completion/completions/gpusize; to try it: source completions/gpusize.bash

_gpusize_ids() {
    # The first CSV column of `gpusize gpus` or `gpusize models`, without the header.
    "${COMP_WORDS[0]}" "$1" -o csv 2>/dev/null | tail -n +2 | cut -d, -f1
}

_gpusize() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi

    local commands="plan check explain gpus models"
    local command="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            plan|check|explain|gpus|models) command=${words[i]}; break ;;
        esac
    done

    case $prev in
        -o|--output)
            local formats="table json yaml markdown csv"
            [[ $command == plan || $command == check ]] && formats+=" html"
            COMPREPLY=($(compgen -W "$formats" -- "$cur")); return ;;
        --solve) COMPREPLY=($(compgen -W "context concurrency gpus rate" -- "$cur")); return ;;
        --catalog|--baseline) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --gpu) COMPREPLY=($(compgen -W "$(_gpusize_ids gpus)" -- "$cur")); return ;;
        --vendor) COMPREPLY=($(compgen -W "nvidia amd intel google aws furiosa rebellions tenstorrent" -- "$cur")); return ;;
        --require)
            COMPREPLY=($(compgen -W "usd_per_hour gpu_count memory_headroom headroom usd_per_million_output_tokens
                usd_per_million_input_tokens ttft_ms tpot_ms output_tokens_per_s requests_per_s
                usd_per_million_training_tokens usd_total tokens_per_s mfu time_to_train_days" -- "$cur"))
            compopt -o nospace 2>/dev/null
            return ;;
        --count|--tp|--pp|--dp|--top|--set|--min-memory|--stale|--today) return ;;
    esac

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    local common="-o --output --catalog --help"
    local opts
    case $command in
        plan) opts="$common --set --top --verbose --baseline" ;;
        check) opts="$common --set --gpu --count --tp --pp --dp --verbose --solve --require --baseline" ;;
        explain) opts="$common --set --gpu --count --tp --pp --dp" ;;
        gpus) opts="$common --vendor --min-memory --stale --today" ;;
        models) opts="$common" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    case $command in
        gpus) COMPREPLY=($(compgen -W "$(_gpusize_ids gpus)" -- "$cur")) ;;
        models) COMPREPLY=($(compgen -W "$(_gpusize_ids models)" -- "$cur")) ;;
        *)
            # The spec: a YAML file (or - for standard input), directories to descend into.
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -- "$cur") $(compgen -d -- "$cur"))
            ;;
    esac
}

complete -F _gpusize gpusize
