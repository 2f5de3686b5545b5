#!/bin/bash

__rtctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__rtctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__rtctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__rtctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_rtctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __rtctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve|connect|send|listen|groups|bench|replay|cert|help)
        # Offer subcommand argument completions
        "_rtctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve connect send listen groups bench replay cert help' -- "${cur}"))
        ;;
    esac
}

_rtctl_serve() {
    repeating_flags=()
    non_repeating_flags=(--announce-membership --announce-players --udp-any-source --gamelift --agones --quiet -q --version -h --help)
    repeating_options=(--reserve --script-arg --log-path)
    non_repeating_options=(--host --port --udp-port --max-players --ping-interval --game-session-id --player-sessions --record --threads --session-loop --flush-interval --tls-cert --tls-key --tls-ca --rate-limit --burst --rate-limit-kick --login-timeout --max-pending --max-connections --reconnect-grace --max-lag --udp-receive-buffer --script --node --hook-timeout --health-interval --shutdown-grace --admin-port --admin-host --gamelift-url --gamelift-fleet-id --gamelift-host-id --gamelift-auth-token --gamelift-process-id --port-range --agones-sdk-port --agones-port-name --log-level --log-format)
    __rtctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--udp-port')
        return
        ;;
    '--max-players')
        return
        ;;
    '--ping-interval')
        return
        ;;
    '--game-session-id')
        return
        ;;
    '--reserve')
        return
        ;;
    '--player-sessions')
        return
        ;;
    '--record')
        return
        ;;
    '--threads')
        return
        ;;
    '--session-loop')
        __rtctl_add_completions -W 'auto'$'\n''own'$'\n''shared'
        return
        ;;
    '--flush-interval')
        return
        ;;
    '--tls-cert')
        return
        ;;
    '--tls-key')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--rate-limit')
        return
        ;;
    '--burst')
        return
        ;;
    '--rate-limit-kick')
        return
        ;;
    '--login-timeout')
        return
        ;;
    '--max-pending')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--reconnect-grace')
        return
        ;;
    '--max-lag')
        return
        ;;
    '--udp-receive-buffer')
        return
        ;;
    '--script')
        return
        ;;
    '--node')
        return
        ;;
    '--script-arg')
        return
        ;;
    '--hook-timeout')
        return
        ;;
    '--health-interval')
        return
        ;;
    '--shutdown-grace')
        return
        ;;
    '--admin-port')
        return
        ;;
    '--admin-host')
        return
        ;;
    '--gamelift-url')
        return
        ;;
    '--gamelift-fleet-id')
        return
        ;;
    '--gamelift-host-id')
        return
        ;;
    '--gamelift-auth-token')
        return
        ;;
    '--gamelift-process-id')
        return
        ;;
    '--log-path')
        return
        ;;
    '--port-range')
        return
        ;;
    '--agones-sdk-port')
        return
        ;;
    '--agones-port-name')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_connect() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --strict --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --log-level --log-format)
    __rtctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_send() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --reliable --strict --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --opcode --payload --payload-base64 --payload-hex --payload-json --data --to --group --repeat --interval --wait-for --timeout --log-level --log-format)
    __rtctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--opcode')
        return
        ;;
    '--payload')
        return
        ;;
    '--payload-base64')
        return
        ;;
    '--payload-hex')
        return
        ;;
    '--payload-json')
        return
        ;;
    '--data')
        return
        ;;
    '--to')
        return
        ;;
    '--group')
        return
        ;;
    '--repeat')
        return
        ;;
    '--interval')
        return
        ;;
    '--wait-for')
        return
        ;;
    '--timeout')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_listen() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --quiet -q --version -h --help)
    repeating_options=(--join --opcode)
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --count --timeout --idle --format --record --log-level --log-format)
    __rtctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--join')
        return
        ;;
    '--count')
        return
        ;;
    '--timeout')
        return
        ;;
    '--idle')
        return
        ;;
    '--opcode')
        return
        ;;
    '--format')
        __rtctl_add_completions -W 'json'$'\n''text'
        return
        ;;
    '--record')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_groups() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __rtctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    members|join|leave|watch)
        # Offer subcommand argument completions
        "_rtctl_groups_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'members join leave watch' -- "${cur}"))
        ;;
    esac
}

_rtctl_groups_members() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --timeout --log-level --log-format)
    __rtctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--timeout')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_groups_join() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --timeout --log-level --log-format)
    __rtctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--timeout')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_groups_leave() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --timeout --log-level --log-format)
    __rtctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--timeout')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_groups_watch() {
    repeating_flags=()
    non_repeating_flags=(--no-udp --tls-insecure --quiet -q --join --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --player-session-id --connect-payload --connect-payload-base64 --payload-format --connect-timeout --tls-ca --timeout --log-level --log-format --interval --count)
    __rtctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--player-session-id')
        return
        ;;
    '--connect-payload')
        return
        ;;
    '--connect-payload-base64')
        return
        ;;
    '--payload-format')
        __rtctl_add_completions -W 'auto'$'\n''text'$'\n''base64'$'\n''hex'$'\n''rtdata'$'\n''json'
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--timeout')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    '--interval')
        return
        ;;
    '--count')
        return
        ;;
    esac
}

_rtctl_bench() {
    repeating_flags=()
    non_repeating_flags=(--serve --tls --tls-insecure --fast --reliable --no-progress --json --allow-disconnects --find-max --quiet -q --version -h --help)
    repeating_options=(--fail-if)
    non_repeating_options=(--endpoint --tls-ca --clients --connect-rate --groups --target --rate --duration --warmup --drain --size --opcode --threads --csv --hgrm --plot --slo --max-rate --max-steal --log-level --log-format)
    __rtctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--clients')
        return
        ;;
    '--connect-rate')
        return
        ;;
    '--groups')
        return
        ;;
    '--target')
        __rtctl_add_completions -W 'group'$'\n''player'$'\n''server'
        return
        ;;
    '--rate')
        return
        ;;
    '--duration')
        return
        ;;
    '--warmup')
        return
        ;;
    '--drain')
        return
        ;;
    '--size')
        return
        ;;
    '--opcode')
        return
        ;;
    '--threads')
        return
        ;;
    '--csv')
        return
        ;;
    '--hgrm')
        return
        ;;
    '--plot')
        return
        ;;
    '--fail-if')
        return
        ;;
    '--slo')
        return
        ;;
    '--max-rate')
        return
        ;;
    '--max-steal')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_replay() {
    repeating_flags=()
    non_repeating_flags=(--topspeed --dry-run --verify --no-udp --tls-insecure --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--endpoint --speed --rate --loop --loop-delay --max-gap --limit --duration --settle --connect-timeout --tls-ca --log-level --log-format)
    __rtctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--endpoint')
        return
        ;;
    '--speed')
        return
        ;;
    '--rate')
        return
        ;;
    '--loop')
        return
        ;;
    '--loop-delay')
        return
        ;;
    '--max-gap')
        return
        ;;
    '--limit')
        return
        ;;
    '--duration')
        return
        ;;
    '--settle')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--tls-ca')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_cert() {
    repeating_flags=()
    non_repeating_flags=(--force --quiet -q --version -h --help)
    repeating_options=()
    non_repeating_options=(--out --days --key-type --ca --ca-key --log-level --log-format)
    __rtctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--out')
        return
        ;;
    '--days')
        return
        ;;
    '--key-type')
        __rtctl_add_completions -W 'ec'$'\n''rsa'
        return
        ;;
    '--ca')
        return
        ;;
    '--ca-key')
        return
        ;;
    '--log-level')
        __rtctl_add_completions -W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'
        return
        ;;
    '--log-format')
        __rtctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_rtctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __rtctl_offer_flags_options -1
}

complete -o filenames -F _rtctl rtctl
