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

    local commands="explain groups collect import replay report plan apply undo"
    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            explain | groups | collect | import | replay | report | plan | apply | undo)
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
                plan) COMPREPLY=($(compgen -W "text json sh" -- "$cur")) ;;
                apply) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
            esac
            return
            ;;
        -b | --bundle | -o | --output | --junit)
            _filedir
            return
            ;;
        -R | --root | --journal)
            _filedir -d
            return
            ;;
        --bootloader)
            COMPREPLY=($(compgen -W "update-grub grub2-mkconfig grub-mkconfig systemd-boot proxmox-boot-tool kernelstub" -- "$cur"))
            return
            ;;
        --initramfs-tool)
            COMPREPLY=($(compgen -W "initramfs-tools dracut mkinitcpio booster" -- "$cur"))
            return
            ;;
        --commands)
            COMPREPLY=($(compgen -W "run skip" -- "$cur"))
            return
            ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            return
            ;;
        --acs-override)
            # pcie_acs_override= words; id:VVVV:DDDD is typed
            COMPREPLY=($(compgen -W "downstream multifunction downstream,multifunction" -- "$cur"))
            return
            ;;
        --move)
            # DEVICE=PORT: the device first (bash breaks the word at '=')
            COMPREPLY=($(compgen -W "$(_gpudiag_addresses)" -- "$cur"))
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
        groups) opts="--slot --ids --format --predict --acs-override --move --bundle --root --help" ;;
        collect) opts="--output --no-redact --quiet --help" ;;
        import) opts="--output --as --source --no-redact --format --quiet --help" ;;
        replay) opts="--jobs --junit --timeout --verbose --help" ;;
        report) opts="--output --slot --bundle --root --help" ;;
        plan) opts="--slot --format --bootloader --initramfs-tool --color --bundle --root --help" ;;
        apply) opts="--slot --format --bootloader --initramfs-tool --yes --unbind-console --commands --journal --color --root --help" ;;
        undo) opts="--yes --force --commands --journal --root --help" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    # Positional arguments: pasted files, scenarios and bundles.
    case $cmd in
        import | replay | report) _filedir ;;
        undo) _filedir -d ;;
    esac
} &&
    complete -F _gpudiag gpudiag
