# bash completion for gpudiag(1)                              -*- shell-script -*-
# SPDX-License-Identifier: MIT
# Installed by meson as <bash-completion completionsdir>/gpudiag.

# PCI addresses of this host, as lspci -D prints them (-s takes them).
_gpudiag_addresses()
{
    local d
    for d in /sys/bus/pci/devices/*; do
        [[ -e $d ]] && printf '%s\n' "${d##*/}"
    done
}

_gpudiag()
{
    local cur prev words cword
    _init_completion || return

    local commands="explain groups collect import replay report"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            explain | groups | collect | import | replay | report)
                cmd=${words[i]}
                break
                ;;
        esac
    done

    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    case $prev in
        -s | --slot)
            COMPREPLY=($(compgen -W "$(_gpudiag_addresses)" -- "$cur"))
            return
            ;;
        -f | --format)
            case $cmd in
                explain) COMPREPLY=($(compgen -W "text json prometheus" -- "$cur")) ;;
                groups) COMPREPLY=($(compgen -W "text json dot" -- "$cur")) ;;
                import) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
            esac
            return
            ;;
        -b | --bundle | -o | --output | --junit)
            _filedir
            return
            ;;
        -R | --root)
            _filedir -d
            return
            ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            return
            ;;
        --as)
            COMPREPLY=($(compgen -W "lspci groups dmesg cmdline modprobe grub modules lsmod auto" -- "$cur"))
            return
            ;;
        -d | --ids | -j | --jobs | --timeout | --source)
            return
            ;;
    esac

    local opts
    case $cmd in
        explain) opts="--slot --format --verbose --color --bundle --root --help" ;;
        groups) opts="--slot --ids --format --bundle --root --help" ;;
        collect) opts="--output --no-redact --quiet --help" ;;
        import) opts="--output --as --source --no-redact --format --quiet --help" ;;
        replay) opts="--jobs --junit --timeout --verbose --help" ;;
        report) opts="--output --slot --bundle --root --help" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # Positional arguments: pasted files, scenarios and bundles.
    case $cmd in
        import | replay | report) _filedir ;;
    esac
} &&
    complete -F _gpudiag gpudiag
